// SPDX-License-Identifier: GPL-2.0-only
/*
 * A VNC server per vGPU (libvncserver) for people to watch its display.
 * Listens on 127.0.0.1, the first free port from 5900 (reported by
 * `vgpuctl status` as vnc_port). A refresh thread captures the scanout
 * (gvt_display_capture) ten times a second while a viewer is connected
 * and marks the rows that changed; without viewers it only follows the
 * mode size (one plane decode).
 * View only: keyboard and pointer events are ignored.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rfb/rfb.h>

#include "vgpud.h"
#include "vgpud_gvt.h"

#define VNC_MAX_DIM 4096u
#define VNC_PERIOD_NS 100000000l	/* 10 captures per second */

struct vgpud_vnc {
	rfbScreenInfoPtr screen;
	struct gvt_vgpu *v;
	char name[VGPUD_NAME_MAX + 1];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	atomic_int viewers;
	uint32_t *cap;			/* capture buffer, VNC_MAX_DIM wide at most */
	size_t cap_px;
	char *fb;			/* what viewers see: R, G, B, pad bytes */
	unsigned int w, h;
	atomic_uint_fast64_t frames;
};

/* libvncserver logs every connection to stderr: keep the journal clean */
static void vgpud_vnc_quiet(void)
{
	rfbLogEnable(0);
}

static void vnc_client_gone(rfbClientPtr cl)
{
	struct vgpud_vnc *vn = cl->screen->screenData;

	atomic_fetch_sub(&vn->viewers, 1);
}

static enum rfbNewClientAction vnc_new_client(rfbClientPtr cl)
{
	struct vgpud_vnc *vn = cl->screen->screenData;

	atomic_fetch_add(&vn->viewers, 1);
	cl->clientGoneHook = vnc_client_gone;
	cl->viewOnly = TRUE;
	return RFB_CLIENT_ACCEPT;
}

/* 0x00RRGGBB -> the 8,3,4 little-endian format: bytes R, G, B, 0 */
static uint32_t vnc_px(uint32_t p)
{
	return ((p >> 16) & 0xff) | (p & 0xff00) | ((p & 0xff) << 16);
}

/* Resize the viewers' framebuffer (refresh thread only). */
static int vnc_resize(struct vgpud_vnc *vn, unsigned int w, unsigned int h)
{
	char *fb = calloc((size_t)w * h, 4), *old = vn->fb;

	if (!fb)
		return -ENOMEM;
	rfbNewFramebuffer(vn->screen, fb, (int)w, (int)h, 8, 3, 4);
	vn->fb = fb;
	vn->w = w;
	vn->h = h;
	free(old);
	return 0;
}

/* Capture the display for the viewers; @size_only: only follow the mode
 * size (no viewer yet: a new one gets the right size in ServerInit). */
static void vnc_refresh(struct vgpud_vnc *vn, bool size_only)
{
	struct gvt_plane_info info;
	unsigned int pipe, w, h;
	int y0 = -1, y1 = -1;

	for (pipe = 0; pipe < 3; pipe++)
		if (!gvt_display_get_plane(vn->v, pipe, GVT_PLANE_PRIMARY, &info) && info.enabled)
			break;
	if ((pipe == 3 || !info.width || !info.height) && size_only)
		return;
	if (pipe == 3 || !info.width || !info.height) {
		/* display off: black */
		for (size_t i = 0; i < (size_t)vn->w * vn->h * 4; i++) {
			if (vn->fb[i]) {
				memset(vn->fb, 0, (size_t)vn->w * vn->h * 4);
				rfbMarkRectAsModified(vn->screen, 0, 0, (int)vn->w, (int)vn->h);
				break;
			}
		}
		return;
	}
	w = info.width < VNC_MAX_DIM ? info.width : VNC_MAX_DIM;
	h = info.height < VNC_MAX_DIM ? info.height : VNC_MAX_DIM;
	if ((w != vn->w || h != vn->h) && vnc_resize(vn, w, h))
		return;
	if (size_only)
		return;
	if ((size_t)w * h > vn->cap_px) {
		uint32_t *c = realloc(vn->cap, (size_t)w * h * 4);

		if (!c)
			return;
		vn->cap = c;
		vn->cap_px = (size_t)w * h;
	}
	if (gvt_display_capture(vn->v, pipe, vn->cap, (size_t)w * 4, w, h, NULL))
		return;
	for (unsigned int y = 0; y < h; y++) {
		uint32_t *dst = (uint32_t *)vn->fb + (size_t)y * w, *src = vn->cap + (size_t)y * w;
		bool changed = false;

		for (unsigned int x = 0; x < w; x++) {
			uint32_t p = vnc_px(src[x]);

			if (dst[x] != p) {
				dst[x] = p;
				changed = true;
			}
		}
		if (changed) {
			if (y0 < 0)
				y0 = (int)y;
			y1 = (int)y;
		}
	}
	if (y0 >= 0)
		rfbMarkRectAsModified(vn->screen, 0, y0, (int)w, y1 + 1);
	atomic_fetch_add(&vn->frames, 1);
}

static void *vnc_main(void *arg)
{
	struct vgpud_vnc *vn = arg;
	struct timespec ts;

	pthread_mutex_lock(&vn->lock);
	while (!vn->stop) {
		pthread_mutex_unlock(&vn->lock);
		vnc_refresh(vn, atomic_load(&vn->viewers) <= 0);
		pthread_mutex_lock(&vn->lock);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += VNC_PERIOD_NS;
		if (ts.tv_nsec >= 1000000000l) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000l;
		}
		if (!vn->stop)
			pthread_cond_timedwait(&vn->cond, &vn->lock, &ts);
	}
	pthread_mutex_unlock(&vn->lock);
	return NULL;
}

int vgpud_vnc_start(struct gvt_vgpu *v, const char *name, struct vgpud_vnc **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct vgpud_vnc *vn = calloc(1, sizeof(*vn));
	pthread_condattr_t ca;
	int argc = 0, ret;

	if (!vn)
		return -ENOMEM;
	pthread_once(&once, vgpud_vnc_quiet);
	vn->v = v;
	snprintf(vn->name, sizeof(vn->name), "%s", name);
	pthread_mutex_init(&vn->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vn->cond, &ca);
	pthread_condattr_destroy(&ca);
	vn->w = 640;
	vn->h = 480;
	vn->fb = calloc((size_t)vn->w * vn->h, 4);
	vn->screen = vn->fb ? rfbGetScreen(&argc, NULL, (int)vn->w, (int)vn->h, 8, 3, 4) : NULL;
	if (!vn->screen) {
		ret = -ENOMEM;
		goto out_free;
	}
	vn->screen->frameBuffer = vn->fb;
	vn->screen->desktopName = vn->name;
	vn->screen->screenData = vn;
	vn->screen->autoPort = TRUE;		/* first free port from 5900 */
	vn->screen->ipv6port = -1;
	vn->screen->listenInterface = htonl(INADDR_LOOPBACK);
	vn->screen->alwaysShared = TRUE;
	vn->screen->newClientHook = vnc_new_client;
	/* view only: no server-drawn arrow over the guest's pixels */
	vn->screen->cursor = NULL;
	rfbInitServer(vn->screen);
	if (vn->screen->listenSock < 0 || vn->screen->port <= 0) {
		ret = -EADDRINUSE;
		goto out_cleanup;
	}
	rfbRunEventLoop(vn->screen, 40000, TRUE);
	ret = -pthread_create(&vn->thread, NULL, vnc_main, vn);
	if (ret) {
		rfbShutdownServer(vn->screen, TRUE);
		goto out_cleanup;
	}
	*out = vn;
	return 0;

out_cleanup:
	rfbScreenCleanup(vn->screen);
out_free:
	free(vn->fb);
	pthread_cond_destroy(&vn->cond);
	pthread_mutex_destroy(&vn->lock);
	free(vn);
	return ret;
}

void vgpud_vnc_stop(struct vgpud_vnc *vn)
{
	if (!vn)
		return;
	pthread_mutex_lock(&vn->lock);
	vn->stop = true;
	pthread_cond_signal(&vn->cond);
	pthread_mutex_unlock(&vn->lock);
	pthread_join(vn->thread, NULL);
	rfbShutdownServer(vn->screen, TRUE);
	rfbScreenCleanup(vn->screen);
	free(vn->fb);
	free(vn->cap);
	pthread_cond_destroy(&vn->cond);
	pthread_mutex_destroy(&vn->lock);
	free(vn);
}

int vgpud_vnc_port(struct vgpud_vnc *vn)
{
	return vn ? vn->screen->port : 0;
}

void vgpud_vnc_stats(struct vgpud_vnc *vn, unsigned int *viewers, uint64_t *frames)
{
	*viewers = vn ? (unsigned int)atomic_load(&vn->viewers) : 0;
	*frames = vn ? atomic_load(&vn->frames) : 0;
}
