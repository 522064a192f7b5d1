#ifndef NZ_HTTP_ASSETS_H
#define NZ_HTTP_ASSETS_H

#include <stddef.h>

/*
 * The web UI's files, compiled into the binary: the Makefile turns every
 * file of src/http/ui into a byte array of build/gen/ui_assets.c (with
 * xxd -i), so a node serves its whole UI with no file or network at hand.
 */
struct http_asset_file {
	const char *path; /* "/index.html", "/vendor/Vazirmatn-Regular.woff2" */
	const unsigned char *data;
	size_t len;
};

/* http_asset_files lists every file, ended by { NULL }. */
extern const struct http_asset_file http_asset_files[];

#endif
