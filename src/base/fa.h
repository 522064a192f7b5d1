#ifndef NZ_FA_H
#define NZ_FA_H

#include <stddef.h>

/*
 * Persian text as people type it, written once (git's strbuf habit): digits in
 * three scripts, the Arabic separators, and the Arabic letters a Persian
 * keyboard may give instead of the Persian ones.  In UTF-8, Persian digits
 * ۰..۹ (U+06F0..) are 0xDB 0xB0..0xB9, Arabic-Indic ٠..٩ (U+0660..) are
 * 0xD9 0xA0..0xA9, the Arabic decimal separator ٫ is 0xD9 0xAB and its
 * thousands separator ٬ is 0xD9 0xAC.
 */

/* fa_digit reads one decimal digit at *p (ASCII, Persian or Arabic-Indic), moves *p past it and returns
 * its value; returns -1 and leaves *p when there is none. */
int fa_digit(const char **p);

/* fa_ascii copies in to out (n bytes, NUL-terminated) with Persian and Arabic-Indic digits made ASCII,
 * the Arabic decimal separator made '.' and the Arabic thousands separator dropped, other bytes as they
 * are; returns -1 when the result does not fit (out then holds what fitted). */
int fa_ascii(const char *in, char *out, size_t n);

/* fa_persian copies in to out (n bytes, NUL-terminated) with its ASCII digits written as Persian ones (two
 * bytes each), other bytes as they are; returns -1 when the result does not fit (out then holds what
 * fitted, never half a digit). */
int fa_persian(const char *in, char *out, size_t n);

/* fa_key folds a name into out (n bytes) for comparison: Arabic yeh and kaf become Persian ی and ک,
 * digits ASCII, ASCII letters lower case; blanks, '-', '/', '.', '_', ZWNJ, ZWJ, no-break space,
 * tatweel and diacritics are dropped, so that "گروه جهادی" and "گروه‌جهادي" meet.  A NULL s is "". */
void fa_key(const char *s, char *out, size_t n);

#endif
