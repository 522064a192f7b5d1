#ifndef NZ_VERSION_H
#define NZ_VERSION_H

/*
 * The release, written once: `nehzat --version` prints it, and the Makefile
 * reads it from here for the Debian package's version.
 */
#define NZ_VERSION "1.1.0"

#endif
