#ifndef NZ_FUZZ_H
#define NZ_FUZZ_H

/*
 * What every fuzz target shares.  A target defines LLVMFuzzerTestOneInput;
 * `make fuzz` links it with libFuzzer (clang), and `make test` links it with
 * replay.c (any compiler) to run the committed corpus in tests/fuzz/corpus/.
 * A target keeps its state (stores, an app) in statics made on the first
 * input, under fuzz_dir(), which is removed at exit.
 */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_dir returns a private temporary directory, made on the first call and removed at exit. */
const char *fuzz_dir(void);

/* fuzz_file writes the n bytes of data to name under fuzz_dir() and returns its path (static). */
const char *fuzz_file(const char *name, const uint8_t *data, size_t n);

#endif
