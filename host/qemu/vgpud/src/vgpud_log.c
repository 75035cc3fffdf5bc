// SPDX-License-Identifier: GPL-2.0-only
/* Leveled log lines on stderr, with sd-daemon "<N>" prefixes so the
 * journal keeps the level. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vgpud.h"

static int vgpud_log_max = VGPUD_INFO;

static void vgpud_vus_log(int level, const char *msg)
{
	fprintf(stderr, "<%d>vgpud: vus: %s\n", level, msg);
}

void vgpud_log_init(int max_level)
{
	vgpud_log_max = max_level;
	vus_log_set(vgpud_vus_log, max_level);
	setvbuf(stderr, NULL, _IOLBF, 0);
}

int vgpud_log_level_parse(const char *s)
{
	static const struct { const char *n; int l; } lv[] = {
		{ "err", VGPUD_ERR }, { "error", VGPUD_ERR }, { "warning", VGPUD_WARN },
		{ "warn", VGPUD_WARN }, { "info", VGPUD_INFO }, { "debug", VGPUD_DEBUG },
	};

	for (size_t i = 0; i < sizeof(lv) / sizeof(lv[0]); i++)
		if (!strcmp(s, lv[i].n))
			return lv[i].l;
	return -1;
}

void vgpud_log(int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (level > vgpud_log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "<%d>vgpud: %s\n", level, line);
}
