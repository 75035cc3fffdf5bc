// SPDX-License-Identifier: GPL-2.0-only
/* Screenshots: 0x00RRGGBB pixels to an 8-bit RGB PNG (libpng). */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vgpud_gvt.h"

/* libpng reports errors by longjmp: nothing here changes after setjmp
 * except through pointers. */
static int png_encode(png_structp png, png_infop info, FILE *f, uint8_t *row,
		      const uint32_t *px, size_t stride, unsigned int w, unsigned int h)
{
	if (setjmp(png_jmpbuf(png)))
		return -EIO;
	png_init_io(png, f);
	png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(png, 1);
	png_write_info(png, info);
	for (unsigned int y = 0; y < h; y++) {
		const uint32_t *src = (const uint32_t *)((const uint8_t *)px + y * stride);

		for (unsigned int x = 0; x < w; x++) {
			row[3 * x + 0] = (uint8_t)(src[x] >> 16);
			row[3 * x + 1] = (uint8_t)(src[x] >> 8);
			row[3 * x + 2] = (uint8_t)src[x];
		}
		png_write_row(png, row);
	}
	png_write_end(png, info);
	return 0;
}

int vgpud_png_write(const char *path, const uint32_t *px, size_t stride,
		    unsigned int w, unsigned int h)
{
	png_structp png = NULL;
	png_infop info = NULL;
	uint8_t *row;
	FILE *f;
	int ret = -ENOMEM;

	if (!w || !h || stride < (size_t)w * 4)
		return -EINVAL;
	f = fopen(path, "wbe");
	if (!f)
		return -errno;
	row = malloc((size_t)w * 3);
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (png)
		info = png_create_info_struct(png);
	if (row && info)
		ret = png_encode(png, info, f, row, px, stride, w, h);
	png_destroy_write_struct(&png, &info);
	free(row);
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret)
		unlink(path);
	return ret;
}
