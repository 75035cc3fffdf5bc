// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "gvt_test_util.h"

static int host_ggtt_write(void *priv, uint32_t index, uint64_t pte)
{
	struct fake_host *h = priv;

	if (index >= h->nentries)
		return -EINVAL;
	h->ggtt[index] = pte;
	h->ggtt_writes++;
	return 0;
}

static void host_ggtt_invalidate(void *priv)
{
	struct fake_host *h = priv;

	h->invalidates++;
}

static int host_fence_write(void *priv, unsigned int fence, uint64_t value)
{
	struct fake_host *h = priv;

	if (fence >= 64)
		return -EINVAL;
	h->fences[fence] = value;
	h->fence_writes++;
	return 0;
}

const struct gvt_host_ops fake_host_ops = {
	.version = GVT_OPS_VERSION,
	.ggtt_write = host_ggtt_write,
	.ggtt_invalidate = host_ggtt_invalidate,
	.fence_write = host_fence_write,
};

static int hyp_gpa_read(void *priv, uint64_t gpa, void *buf, size_t len)
{
	struct fake_hyp *h = priv;

	if (gpa >= h->ram_size || len > h->ram_size - gpa) {
		h->bad_gpa++;
		return -EFAULT;
	}
	memcpy(buf, h->ram + gpa, len);
	return 0;
}

static int hyp_gpa_write(void *priv, uint64_t gpa, const void *buf, size_t len)
{
	struct fake_hyp *h = priv;

	if (gpa >= h->ram_size || len > h->ram_size - gpa) {
		h->bad_gpa++;
		return -EFAULT;
	}
	memcpy(h->ram + gpa, buf, len);
	return 0;
}

static int hyp_dma_map(void *priv, uint64_t gfn, uint64_t *dma)
{
	struct fake_hyp *h = priv;

	if ((gfn << 12) >= h->ram_size || (h->fail_gfn && gfn == h->fail_gfn))
		return -EFAULT;
	*dma = (gfn << 12) + FAKE_DMA_OFFSET;
	h->pinned++;
	return 0;
}

static void hyp_dma_unmap(void *priv, uint64_t gfn, uint64_t dma)
{
	struct fake_hyp *h = priv;

	assert_int_equal(dma, (gfn << 12) + FAKE_DMA_OFFSET);
	h->pinned--;
}

static int hyp_inject_msi(void *priv, uint64_t addr, uint32_t data)
{
	struct fake_hyp *h = priv;

	h->msi_count++;
	h->msi_addr = addr;
	h->msi_data = data;
	return 0;
}

static void hyp_set_intx(void *priv, bool level)
{
	struct fake_hyp *h = priv;

	h->intx = level;
}

static uint64_t hyp_now(void *priv)
{
	struct fake_hyp *h = priv;

	return h->now;
}

static void hyp_log(void *priv, int level, const char *msg)
{
	struct fake_hyp *h = priv;

	h->logs++;
	if (getenv("GVT_TEST_VERBOSE"))
		fprintf(stderr, "log%d: %s\n", level, msg);
}

const struct gvt_hyp_ops fake_hyp_ops = {
	.version = GVT_OPS_VERSION,
	.gpa_read = hyp_gpa_read,
	.gpa_write = hyp_gpa_write,
	.dma_map = hyp_dma_map,
	.dma_unmap = hyp_dma_unmap,
	.inject_msi = hyp_inject_msi,
	.set_intx = hyp_set_intx,
	.now_ns = hyp_now,
	.log = hyp_log,
};

void fake_desc_init(struct gvt_gpu_desc *d, uint16_t device_id, uint64_t aperture)
{
	memset(d, 0, sizeof(*d));
	d->device_id = device_id;
	d->ggtt_size = 4ull << 30;
	d->aperture_size = aperture;
	d->num_fences = 32;
	d->scratch_pte = FAKE_SCRATCH_PTE | 1;
}

struct fake_env *fake_env_new(uint16_t device_id, uint64_t aperture)
{
	struct fake_env *env = calloc(1, sizeof(*env));

	assert_non_null(env);
	env->host.nentries = (4ull << 30) >> 12;
	env->host.ggtt = calloc(env->host.nentries, sizeof(uint64_t));
	assert_non_null(env->host.ggtt);
	fake_desc_init(&env->desc, device_id, aperture);
	assert_int_equal(gvt_gpu_create(&env->desc, &fake_host_ops, &env->host, &env->gpu), 0);
	return env;
}

void fake_env_free(struct fake_env *env)
{
	assert_int_equal(gvt_gpu_destroy(env->gpu), 0);
	free(env->host.ggtt);
	free(env);
}

struct fake_hyp *fake_hyp_new(void)
{
	struct fake_hyp *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	h->ram_size = FAKE_RAM_SIZE;
	h->ram = calloc(1, h->ram_size);
	assert_non_null(h->ram);
	h->now = 1000000000ull;
	return h;
}

void fake_hyp_free(struct fake_hyp *h)
{
	free(h->ram);
	free(h);
}

struct gvt_vgpu *fake_vgpu_new(struct fake_env *env, const char *type, struct fake_hyp *h)
{
	struct gvt_vgpu *v = NULL;

	assert_int_equal(gvt_vgpu_create(env->gpu, type, &fake_hyp_ops, h, &v), 0);
	assert_non_null(v);
	return v;
}

uint32_t rd32(struct gvt_vgpu *v, uint32_t off)
{
	uint32_t val = 0xdeadbeef;

	assert_int_equal(gvt_vgpu_mmio_read(v, 0, off, &val, 4), 0);
	return val;
}

void wr32(struct gvt_vgpu *v, uint32_t off, uint32_t val)
{
	assert_int_equal(gvt_vgpu_mmio_write(v, 0, off, &val, 4), 0);
}

uint64_t rd64(struct gvt_vgpu *v, uint32_t off)
{
	uint64_t val = 0;

	assert_int_equal(gvt_vgpu_mmio_read(v, 0, off, &val, 8), 0);
	return val;
}

void wr64(struct gvt_vgpu *v, uint32_t off, uint64_t val)
{
	assert_int_equal(gvt_vgpu_mmio_write(v, 0, off, &val, 8), 0);
}

uint32_t cfg32(struct gvt_vgpu *v, uint32_t off)
{
	uint32_t val;

	assert_int_equal(gvt_vgpu_cfg_read(v, off, &val, 4), 0);
	return val;
}

uint16_t cfg16(struct gvt_vgpu *v, uint32_t off)
{
	uint16_t val;

	assert_int_equal(gvt_vgpu_cfg_read(v, off, &val, 2), 0);
	return val;
}

uint8_t cfg8(struct gvt_vgpu *v, uint32_t off)
{
	uint8_t val;

	assert_int_equal(gvt_vgpu_cfg_read(v, off, &val, 1), 0);
	return val;
}

void cfgw32(struct gvt_vgpu *v, uint32_t off, uint32_t val)
{
	assert_int_equal(gvt_vgpu_cfg_write(v, off, &val, 4), 0);
}

void cfgw16(struct gvt_vgpu *v, uint32_t off, uint16_t val)
{
	assert_int_equal(gvt_vgpu_cfg_write(v, off, &val, 2), 0);
}

void guest_enable_msi(struct gvt_vgpu *v)
{
	uint8_t cap = cfg8(v, 0x34);

	assert_int_equal(cfg8(v, cap), 0x05);
	cfgw16(v, 0x04, 0x0006);		/* MEM | BUS_MASTER */
	cfgw32(v, cap + 4, 0xfee00000);
	cfgw32(v, cap + 8, 0);
	cfgw16(v, cap + 12, 0x4021);
	cfgw16(v, cap + 2, cfg16(v, cap + 2) | 1);
	wr32(v, 0x44200, 0x80000000);		/* GEN8_MASTER_IRQ enable */
}

int aux_xfer(struct gvt_vgpu *v, unsigned int ch, const uint8_t *tx, int txlen, uint8_t *rx)
{
	uint32_t ctl = 0x64010 + 0x100 * ch, data[5] = { 0 }, st;
	int i, n;

	for (i = 0; i < txlen; i++)
		data[i / 4] |= (uint32_t)tx[i] << (24 - 8 * (i % 4));
	for (i = 0; i < 5; i++)
		wr32(v, ctl + 4 + 4 * i, data[i]);
	assert_int_equal(rd32(v, ctl) & (1u << 31), 0);	/* not busy */
	/* SEND_BUSY | DONE | TIMEOUT | RXERR (w1c) | size | timeout max | sync */
	wr32(v, ctl, (1u << 31) | (1u << 30) | (1u << 28) | (1u << 25) | (3u << 26) |
		     ((uint32_t)txlen << 20) | (31u << 5) | 31u);
	st = rd32(v, ctl);
	assert_int_equal(st & (1u << 31), 0);
	if (st & (1u << 28))
		return -ETIMEDOUT;
	assert_true(st & (1u << 30));
	n = (st >> 20) & 0x1f;
	for (i = 0; i < n; i++)
		rx[i] = (uint8_t)(rd32(v, ctl + 4 + 4 * (i / 4)) >> (24 - 8 * (i % 4)));
	/* clear the status bits as i915 does */
	wr32(v, ctl, st | (1u << 30) | (1u << 28) | (1u << 25));
	assert_int_equal(rd32(v, ctl) & ((1u << 30) | (1u << 28)), 0);
	return n;
}

static int fake_ctx_setup(void **state, const char *type)
{
	struct fake_ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->env = fake_env_new(0x1912, 1ull << 30);
	c->hyp = fake_hyp_new();
	c->v = fake_vgpu_new(c->env, type, c->hyp);
	gvt_vgpu_get_info(c->v, &c->info);
	*state = c;
	return 0;
}

int fake_ctx_setup_v5_4(void **state)
{
	return fake_ctx_setup(state, "GVTg_V5_4");
}

int fake_ctx_setup_v5_8(void **state)
{
	return fake_ctx_setup(state, "GVTg_V5_8");
}

int fake_ctx_teardown(void **state)
{
	struct fake_ctx *c = *state;

	gvt_vgpu_destroy(c->v);
	assert_int_equal(c->hyp->pinned, 0);
	fake_hyp_free(c->hyp);
	fake_env_free(c->env);
	free(c);
	return 0;
}

struct gvt_vgpu_stats fake_vgpu_stats(struct gvt_vgpu *v)
{
	struct gvt_vgpu_stats s;

	gvt_vgpu_get_stats(v, &s);
	return s;
}
