#ifndef NZ_LOG_H
#define NZ_LOG_H

/*
 * Logging: one line per event on stderr,
 *   2026-11-28T09:55:45Z info sync.push peer=IR-07 changes=120
 * The key (second word after the level) is stable; tools may grep for it.
 */
enum nz_log_level { NZ_LOG_DEBUG, NZ_LOG_INFO, NZ_LOG_WARN, NZ_LOG_ERROR };

/* nz_log_set_level drops events below level. */
void nz_log_set_level(enum nz_log_level level);

/* nz_log writes one event line; fmt carries the key=value pairs. */
void nz_log(enum nz_log_level level, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
