/* Persian text as people type it (fa.h). */
#include "base/fa.h"

int
fa_digit(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;

	if (s[0] >= '0' && s[0] <= '9') {
		*p += 1;
		return s[0] - '0';
	}
	if (s[0] == 0xdb && s[1] >= 0xb0 && s[1] <= 0xb9) {
		*p += 2;
		return s[1] - 0xb0;
	}
	if (s[0] == 0xd9 && s[1] >= 0xa0 && s[1] <= 0xa9) {
		*p += 2;
		return s[1] - 0xa0;
	}
	return -1;
}

int
fa_ascii(const char *in, char *out, size_t n)
{
	const char *p = in;
	size_t k = 0;
	int d;

	while (*p != '\0') {
		char c;
		const unsigned char *u = (const unsigned char *)p;
		if ((d = fa_digit(&p)) >= 0) {
			c = (char)('0' + d);
		} else if (u[0] == 0xd9 && u[1] == 0xab) {
			c = '.';
			p += 2;
		} else if (u[0] == 0xd9 && u[1] == 0xac) {
			p += 2;
			continue;
		} else {
			c = *p++;
		}
		if (k + 1 >= n) {
			out[k] = '\0';
			return -1;
		}
		out[k++] = c;
	}
	out[k] = '\0';
	return 0;
}

int
fa_persian(const char *in, char *out, size_t n)
{
	size_t k = 0;

	if (n == 0)
		return -1;
	for (; *in != '\0'; in++) {
		int digit = *in >= '0' && *in <= '9';
		if (k + (digit ? 2 : 1) >= n) {
			out[k] = '\0';
			return -1;
		}
		if (digit) {
			out[k++] = (char)0xdb;
			out[k++] = (char)(0xb0 + (*in - '0'));
		} else {
			out[k++] = *in;
		}
	}
	out[k] = '\0';
	return 0;
}

void
fa_key(const char *s, char *out, size_t n)
{
	const char *q = s != NULL ? s : "";
	size_t w = 0;
	int d;

	while (*q != '\0' && w + 3 < n) {
		const unsigned char *p = (const unsigned char *)q;
		if ((d = fa_digit(&q)) >= 0) {
			out[w++] = (char)('0' + d);
		} else if (p[0] == 0xd9 && p[1] == 0x8a) { /* ي */
			out[w++] = (char)0xdb;
			out[w++] = (char)0x8c;
			q += 2;
		} else if (p[0] == 0xd9 && p[1] == 0x83) { /* ك */
			out[w++] = (char)0xda;
			out[w++] = (char)0xa9;
			q += 2;
		} else if (p[0] == 0xd9 && (p[1] == 0x80 || (p[1] >= 0x8b && p[1] <= 0x92))) {
			q += 2; /* tatweel, harakat */
		} else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x8c || p[2] == 0x8d)) {
			q += 3; /* ZWNJ, ZWJ */
		} else if (p[0] == 0xc2 && p[1] == 0xa0) {
			q += 2; /* no-break space */
		} else if (*p == ' ' || *p == '\t' || *p == '-' || *p == '/' || *p == '.' || *p == '_') {
			q++;
		} else if (*p >= 'A' && *p <= 'Z') {
			out[w++] = (char)(*p - 'A' + 'a');
			q++;
		} else {
			out[w++] = *q++;
		}
	}
	out[w] = '\0';
}
