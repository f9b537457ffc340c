/* A printf subset that never allocates and takes no locks, so that messages
 * can be formatted in the signal handler and capstone can print through it
 * (CS_OPT_MEM's vsnprintf). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "support.h"

struct out {
	char *buf;
	size_t size, n;
};

static void put(struct out *o, char c)
{
	if (o->n + 1 < o->size)
		o->buf[o->n] = c;
	o->n++;
}

static void put_padded(struct out *o, const char *s, size_t len, int width, bool left, char pad)
{
	int fill = width > (int)len ? width - (int)len : 0;

	if (!left && pad == ' ')
		while (fill-- > 0)
			put(o, ' ');
	while (len--)
		put(o, *s++);
	while (left && fill-- > 0)
		put(o, ' ');
}

static void put_number(struct out *o, uintmax_t v, bool neg, unsigned base, bool upper,
		       bool alt, int width, int prec, bool left, char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[72];
	int i = (int)sizeof(tmp);

	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	while ((int)sizeof(tmp) - i < prec)
		tmp[--i] = '0';
	int digits_len = (int)sizeof(tmp) - i;
	int prefix = (neg ? 1 : 0) + (alt && base == 16 ? 2 : 0);

	if (!left && pad == ' ')
		for (int k = digits_len + prefix; k < width; k++)
			put(o, ' ');
	if (neg)
		put(o, '-');
	if (alt && base == 16) {
		put(o, '0');
		put(o, upper ? 'X' : 'x');
	}
	if (!left && pad == '0')
		for (int k = digits_len + prefix; k < width; k++)
			put(o, '0');
	put_padded(o, tmp + i, (size_t)digits_len, 0, false, ' ');
	if (left)
		for (int k = digits_len + prefix; k < width; k++)
			put(o, ' ');
}

int fmt_v(char *buf, size_t size, const char *f, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		bool left = false, alt = false, plus = false;
		char pad = ' ';
		int width = 0, prec = -1, len = 0; /* len: -2 hh, -1 h, 0 int, 1 l, 2 ll/j/z/t */

		for (f++;; f++) {
			if (*f == '-')
				left = true;
			else if (*f == '0')
				pad = '0';
			else if (*f == '#')
				alt = true;
			else if (*f == '+' || *f == ' ')
				plus = true;
			else
				break;
		}
		(void)plus;
		if (*f == '*') {
			width = va_arg(ap, int);
			f++;
		} else
			while (*f >= '0' && *f <= '9')
				width = width * 10 + (*f++ - '0');
		if (*f == '.') {
			prec = 0;
			f++;
			if (*f == '*') {
				prec = va_arg(ap, int);
				f++;
			} else
				while (*f >= '0' && *f <= '9')
					prec = prec * 10 + (*f++ - '0');
		}
		for (;; f++) {
			if (*f == 'h')
				len = len == -1 ? -2 : -1;
			else if (*f == 'l')
				len++;
			else if (*f == 'j' || *f == 'z' || *f == 't')
				len = 2;
			else
				break;
		}
		if (!*f)
			break;
		switch (*f) {
		case 'd':
		case 'i': {
			intmax_t v = len >= 2 ? va_arg(ap, long long) : len == 1 ? va_arg(ap, long) : va_arg(ap, int);
			if (len == -1)
				v = (short)v;
			else if (len == -2)
				v = (signed char)v;
			bool neg = v < 0;
			put_number(&o, neg ? -(uintmax_t)v : (uintmax_t)v, neg, 10, false, false, width, prec, left, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uintmax_t v = len >= 2 ? va_arg(ap, unsigned long long)
				    : len == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			if (len == -1)
				v = (unsigned short)v;
			else if (len == -2)
				v = (unsigned char)v;
			put_number(&o, v, false, *f == 'u' ? 10 : 16, *f == 'X', alt && v, width, prec, left, pad);
			break;
		}
		case 'p':
			put_number(&o, (uintptr_t)va_arg(ap, void *), false, 16, false, true, width, prec, left, pad);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_padded(&o, &c, 1, width, left, ' ');
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			size_t n = strlen(s);
			if (prec >= 0 && (size_t)prec < n)
				n = (size_t)prec;
			put_padded(&o, s, n, width, left, ' ');
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '%');
			put(&o, *f);
			break;
		}
	}
	if (size)
		buf[o.n < size ? o.n : size - 1] = '\0';
	return (int)o.n;
}

int fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	int n = fmt_v(buf, size, f, ap);
	va_end(ap);
	return n;
}
