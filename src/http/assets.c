/* The UI's files served from memory, with their types and caching. */
#include <string.h>

#include "http/assets.h"
#include "http/http_int.h"

static const struct {
	const char *ext, *ctype, *cache;
} types[] = {
	/* Pages and code revalidate, so a new binary's UI shows at once;
	 * fonts never change under their name. */
	{".html", "text/html; charset=utf-8", "no-cache"},
	{".css", "text/css; charset=utf-8", "no-cache"},
	{".js", "text/javascript; charset=utf-8", "no-cache"},
	{".svg", "image/svg+xml", "public, max-age=86400"},
	{".woff2", "font/woff2", "public, max-age=31536000, immutable"},
	{".txt", "text/plain; charset=utf-8", "public, max-age=86400"},
	{".md", "text/markdown; charset=utf-8", "no-cache"},
};

bool
http_asset(const char *path, struct http_res *rs)
{
	const struct http_asset_file *f;
	size_t i, n;

	if (strcmp(path, "/") == 0)
		path = "/index.html";
	for (f = http_asset_files; f->path != NULL; f++) {
		if (strcmp(f->path, path) != 0)
			continue;
		rs->status = 200;
		rs->static_body = f->data;
		rs->len = f->len;
		rs->ctype = "application/octet-stream";
		rs->cache = "no-cache";
		n = strlen(path);
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			size_t e = strlen(types[i].ext);
			if (n > e && strcmp(path + n - e, types[i].ext) == 0) {
				rs->ctype = types[i].ctype;
				rs->cache = types[i].cache;
			}
		}
		return true;
	}
	return false;
}
