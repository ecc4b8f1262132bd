/* modrun.c - the module executor. It resolves every step's tensor ids to
 * addresses (arena, weights, caller inputs and outputs), calls RVV steps
 * through their entry ABI (a0 = argument array), fallback steps
 * through the reference kernels and custom-op steps through the caller's
 * handler (modrun_set_custom), in the module's order.
 *
 * RVV code is copied into an anonymous mapping that is made executable
 * only after the copy (W^X). Target checks read vlenb and vtype with
 * raw instruction words so this file builds with any -march, and catch
 * SIGILL so a machine without V gets an error, not a crash. */
#include "modrun.h"
#include "../ref/ref.h"

#include <string.h>

#if defined(__riscv) && __riscv_xlen == 64 && defined(__linux__)
#define MODRUN_NATIVE 1
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#else
#define MODRUN_NATIVE 0
#endif

struct mod_session {
    const rvv_module *m;
    unsigned char *arena, *arena_raw;
    unsigned char *code; /* executable copy of CODE (native only) */
    size_t code_map_len;
    uint64_t *argv;      /* scratch argument array */
    size_t argv_cap;
    modrun_step_hook hook;
    void *user;
    rv_limits lim;
    modrun_custom_fn custom;
    void *custom_user;
    modrun_rvv_fn rvv;   /* RVV steps run here instead (the emulator) */
    void *rvv_user;
    modrun_region *reg;  /* regions for rvv: code, weights, arena, argv, inputs, outputs */
};

#if MODRUN_NATIVE
static sigjmp_buf probe_jmp;
static void probe_sigill(int sig)
{
    (void)sig;
    siglongjmp(probe_jmp, 1);
}

/* Returns vlenb and whether e64 is legal (ELEN 64), or 0 without V.
 * Runs once per process (pthread_once): the SIGILL handler it installs
 * for the probe is process-wide, so two threads must not probe at once. */
static unsigned probed_vlenb;
static int probed_e64;
static unsigned probe_vector_once(int *elen64);
static void probe_init(void) { probed_vlenb = probe_vector_once(&probed_e64); }

static unsigned probe_vector(int *elen64)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, probe_init);
    *elen64 = probed_e64;
    return probed_vlenb;
}

static unsigned probe_vector_once(int *elen64)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = probe_sigill;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGILL, &sa, &old);
    volatile unsigned vlenb = 0;
    volatile long vtype = -1;
    if (!sigsetjmp(probe_jmp, 1)) {
        unsigned long v;
        __asm__ volatile("csrr %0, 0xc22" : "=r"(v)); /* vlenb */
        vlenb = (unsigned)v;
        register long a1 __asm__("a1");
        /* vsetvli a0, zero, e64, m1, ta, ma ; csrr a1, vtype */
        __asm__ volatile(".word 0x0d807557\n\t.word 0xc21025f3" : "=r"(a1) : : "a0", "memory");
        vtype = a1;
    }
    sigaction(SIGILL, &old, NULL);
    *elen64 = vlenb && vtype >= 0; /* vill is the sign bit */
    return vlenb;
}
#endif

unsigned modrun_host_vlen(void)
{
#if MODRUN_NATIVE
    int e64;
    return probe_vector(&e64) * 8;
#else
    return 0;
#endif
}

int modrun_check_target(const rvv_module *m)
{
    const mod_header *h = m->hdr;
    int has_rvv = 0;
    for (uint32_t i = 0; i < h->n_steps; i++)
        has_rvv |= m->steps[i].kind == MOD_STEP_RVV;
    if (!has_rvv)
        return 0;
#if MODRUN_NATIVE
    int e64;
    unsigned vlen = probe_vector(&e64) * 8;
    if (!vlen)
        return err_set(RV_ETARGET, "module needs the RISC-V vector extension (%s), this CPU has none",
                       module_str(m, h->march));
    if ((h->ext & (MOD_EXT_V | MOD_EXT_ZVE64D | MOD_EXT_ZVE64F)) && !e64)
        return err_set(RV_ETARGET, "module needs ELEN=64 vectors (%s), this CPU only has 32-bit elements "
                       "(Zve32*)", module_str(m, h->march));
    if (h->vlen && vlen != h->vlen)
        return err_set(RV_ETARGET, "module was compiled for VLEN=%u (%s), this CPU has VLEN=%u; recompile "
                       "with --vlen=%u or --vlen=0 (vector-length agnostic)", h->vlen,
                       module_str(m, h->march), vlen, vlen);
    if (h->min_vlen && vlen < h->min_vlen)
        return err_set(RV_ETARGET, "module needs VLEN >= %u, this CPU has VLEN=%u", h->min_vlen, vlen);
    return 0;
#else
    return err_set(RV_ETARGET, "module has RVV steps: it runs on riscv64 (or under qemu-riscv64), not on "
                   "this host");
#endif
}

static int session_open(const rvv_module *m, modrun_rvv_fn rvv, void *rvv_user, mod_session **out)
{
    *out = NULL;
    int rc = rvv ? 0 : modrun_check_target(m);
    if (rc)
        return rc;
    mod_session *s = mem_calloc(1, sizeof *s);
    if (!s)
        return err_set(RV_ENOMEM, "out of memory");
    s->m = m;
    s->rvv = rvv;
    s->rvv_user = rvv_user;
    limits_default(&s->lim);
    size_t cap = 16;
    for (uint32_t i = 0; i < m->hdr->n_steps; i++) {
        size_t n = (size_t)m->steps[i].n_in + m->steps[i].n_out + m->steps[i].n_imm;
        if (n > cap)
            cap = n;
    }
    s->argv_cap = cap;
    s->argv = mem_calloc(cap, sizeof *s->argv);
    /* 64-byte aligned base: arena offsets are multiples of 64 */
    s->arena_raw = mem_alloc((size_t)m->hdr->arena_bytes + 128);
    s->arena = s->arena_raw ? (unsigned char *)(((uintptr_t)s->arena_raw + 63) & ~(uintptr_t)63) : NULL;
    if (rvv)
        s->reg = mem_calloc((size_t)m->hdr->n_inputs + m->hdr->n_outputs + 4, sizeof *s->reg);
    if (!s->argv || !s->arena || (rvv && !s->reg)) {
        modrun_close(s);
        return err_set(RV_ENOMEM, "cannot allocate the %llu-byte arena",
                       (unsigned long long)m->hdr->arena_bytes);
    }
#if MODRUN_NATIVE
    size_t clen = rvv ? 0 : m->hdr->sec[SEC_CODE].size;
    if (clen) {
        size_t page = 4096, maplen = (clen + page - 1) & ~(page - 1);
        void *p = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            modrun_close(s);
            return err_set(RV_ENOMEM, "cannot map %zu bytes of code", maplen);
        }
        memcpy(p, m->code, clen);
        if (mprotect(p, maplen, PROT_READ | PROT_EXEC) != 0) {
            munmap(p, maplen);
            modrun_close(s);
            return err_set(RV_EIO, "cannot make module code executable (mprotect)");
        }
        __builtin___clear_cache((char *)p, (char *)p + clen);
        s->code = p;
        s->code_map_len = maplen;
    }
#endif
    *out = s;
    return 0;
}

int modrun_open(const rvv_module *m, mod_session **out) { return session_open(m, NULL, NULL, out); }
int modrun_open_rvv(const rvv_module *m, modrun_rvv_fn fn, void *user, mod_session **out)
{
    return session_open(m, fn, user, out);
}

void modrun_set_hook(mod_session *s, modrun_step_hook hook, void *user)
{
    s->hook = hook;
    s->user = user;
}

void modrun_set_limits(mod_session *s, const rv_limits *lim) { s->lim = *limits_or_default(lim); }
void modrun_set_custom(mod_session *s, modrun_custom_fn fn, void *user)
{
    s->custom = fn;
    s->custom_user = user;
}

void modrun_close(mod_session *s)
{
    if (!s)
        return;
#if MODRUN_NATIVE
    if (s->code)
        munmap(s->code, s->code_map_len);
#endif
    mem_free(s->arena_raw);
    mem_free(s->argv);
    mem_free(s->reg);
    mem_free(s);
}

void modrun_code_range(const mod_session *s, uint64_t *lo, uint64_t *hi)
{
    *lo = (uint64_t)(uintptr_t)s->code;
    *hi = s->code ? *lo + s->m->hdr->sec[SEC_CODE].size : 0;
}

static void *tensor_addr(mod_session *s, uint64_t id, const tensor *inputs, tensor *outputs)
{
    const mod_tensor *t = &s->m->tensors[id];
    switch (t->place) {
    case MOD_T_ARENA: return s->arena + t->offset;
    case MOD_T_WEIGHT: return (void *)(s->m->weights + t->offset);
    case MOD_T_INPUT: return inputs[t->offset].data;
    default: return outputs[t->offset].data;
    }
}

/* A fallback or custom step's operands as tensors in tv (descriptor and
 * address); omitted ones are NULL, or for outputs with scratch_outputs a
 * zeroed scratch descriptor. */
static void bind_operands(mod_session *s, const mod_step *st, const tensor *inputs, tensor *outputs, tensor *tv,
                          tensor **ins, tensor **outs, int scratch_outputs)
{
    const rvv_module *m = s->m;
    for (uint32_t k = 0; k < st->n_in + st->n_out; k++) {
        uint64_t id = m->args[st->args_off + k];
        tensor *t = NULL;
        if (id != MOD_NO_TENSOR) {
            t = &tv[k];
            module_tensor_desc(m, (uint32_t)id, t);
            t->data = tensor_addr(s, id, inputs, outputs);
        } else if (k >= st->n_in && scratch_outputs) {
            t = &tv[k]; /* omitted optional output: scratch */
            memset(t, 0, sizeof *t);
        }
        if (k < st->n_in)
            ins[k] = t;
        else
            outs[k - st->n_in] = t;
    }
}

/* The reference kernels read their inputs while they write their outputs:
 * a module (untrusted) whose plan puts an output partly over an operand
 * would have them read what they just wrote, or memcpy overlapping
 * ranges. The same buffer exactly (an in-place view) is allowed. */
static int check_overlap(uint32_t si, const mod_step *st, tensor *const *ins, tensor *const *outs)
{
    for (uint32_t k = 0; k < st->n_out; k++) {
        const tensor *o = outs[k];
        if (!o || !o->data || !o->nbytes)
            continue;
        const char *ob = o->data;
        for (uint32_t j = 0; j < st->n_in + k; j++) {
            const tensor *t = j < st->n_in ? ins[j] : outs[j - st->n_in];
            if (!t || !t->data || !t->nbytes || (t->data == o->data && t->nbytes == o->nbytes && j < st->n_in))
                continue;
            const char *tb = t->data;
            if (ob < tb + t->nbytes && tb < ob + o->nbytes)
                return err_set(RV_EFORMAT, "module: step %u: output %u overlaps %s %u in memory", si, k,
                               j < st->n_in ? "input" : "output", j < st->n_in ? j : j - st->n_in);
        }
    }
    return 0;
}

static int run_ref_step(mod_session *s, uint32_t si, const tensor *inputs, tensor *outputs,
                        tensor *tv)
{
    const rvv_module *m = s->m;
    const mod_step *st = &m->steps[si];
    const ir_node *n = &m->g->nodes[m->step_node[si]];
    tensor *ins[4096 / 8], *outs[4096 / 8];
    if (st->n_in > 512 || st->n_out > 512)
        return err_set(RV_ELIMIT, "module: step %u has too many operands", si);
    bind_operands(s, st, inputs, outputs, tv, ins, outs, 1);
    int rc = check_overlap(si, st, ins, outs);
    if (rc)
        return rc;
    op_ctx c = {n, m->g, (int)m->hdr->opset, (int)st->n_in, (int)st->n_out, ins, outs, NULL};
    const op_info *oi = &op_table[n->op];
    /* Shapes were fixed at compile time; the shape function re-derives
     * them so a kernel never writes past a buffer a corrupt module sized. */
    tensor want[512];
    for (uint32_t k = 0; k < st->n_out; k++)
        want[k] = *outs[k];
    rc = oi->shape(&c);
    for (uint32_t k = 0; !rc && k < st->n_out; k++) {
        if (m->args[st->args_off + st->n_in + k] == MOD_NO_TENSOR) {
            size_t nb;
            if ((rc = tensor_byte_size(outs[k], &nb)))
                break;
            if (nb > s->lim.max_tensor_bytes) {
                rc = op_error(&c, RV_ELIMIT, "output %u: %zu bytes exceed the limit max_tensor_bytes (%llu)",
                              k, nb, (unsigned long long)s->lim.max_tensor_bytes);
                break;
            }
            outs[k]->data = mem_alloc(nb);
            outs[k]->nbytes = nb;
            if (!outs[k]->data)
                rc = err_set(RV_ENOMEM, "out of memory");
        } else if (!shape_equal(outs[k], &want[k]) || outs[k]->dtype != want[k].dtype) {
            rc = op_error(&c, RV_EFORMAT, "module: output %u shape disagrees with the module", k);
        } else {
            outs[k]->data = want[k].data;
            outs[k]->nbytes = want[k].nbytes;
        }
    }
    if (!rc)
        rc = oi->ref(&c);
    for (uint32_t k = 0; k < st->n_out; k++)
        if (m->args[st->args_off + st->n_in + k] == MOD_NO_TENSOR)
            mem_free(outs[k]->data);
    return rc;
}

static int run_custom_step(mod_session *s, uint32_t si, const tensor *inputs, tensor *outputs, tensor *tv)
{
    const rvv_module *m = s->m;
    const mod_step *st = &m->steps[si];
    const ir_node *n = &m->g->nodes[m->step_node[si]];
    tensor *ins[64], *outs[64]; /* the loader bounds both counts by 64 */
    bind_operands(s, st, inputs, outputs, tv, ins, outs, 0);
    if (!s->custom)
        return err_set(RV_EUNSUPPORTED, "custom operator '%s' is not registered in this runtime (register it "
                       "with rvvnn_register_op on the session's options)", module_str(m, st->op));
    return s->custom(s->custom_user, si, n, ins, (int)st->n_in, outs, (int)st->n_out);
}

/* An RVV step on s->rvv: the same argument array as a native call, and
 * the memory the step may touch. Inputs are read-only to the code. */
static int run_rvv_elsewhere(mod_session *s, uint32_t si, const tensor *inputs, tensor *outputs)
{
    const rvv_module *m = s->m;
    const mod_step *st = &m->steps[si];
    uint32_t nt = st->n_in + st->n_out, nr = 0;
    for (uint32_t k = 0; k < nt; k++) {
        uint64_t id = m->args[st->args_off + k];
        s->argv[k] = id == MOD_NO_TENSOR ? 0 : (uint64_t)(uintptr_t)tensor_addr(s, id, inputs, outputs);
    }
    for (uint32_t k = 0; k < st->n_imm; k++)
        s->argv[nt + k] = m->args[st->args_off + nt + k];
    modrun_region *r = s->reg;
    r[nr++] = (modrun_region){(uintptr_t)m->code, (size_t)m->hdr->sec[SEC_CODE].size, 0};
    r[nr++] = (modrun_region){(uintptr_t)m->weights, (size_t)m->hdr->sec[SEC_WEIGHTS].size, 0};
    r[nr++] = (modrun_region){(uintptr_t)s->arena, (size_t)m->hdr->arena_bytes, 1};
    r[nr++] = (modrun_region){(uintptr_t)s->argv, s->argv_cap * sizeof *s->argv, 0};
    for (uint32_t i = 0; i < m->hdr->n_inputs; i++)
        r[nr++] = (modrun_region){(uintptr_t)inputs[i].data, inputs[i].nbytes, 0};
    for (uint32_t i = 0; i < m->hdr->n_outputs; i++)
        r[nr++] = (modrun_region){(uintptr_t)outputs[i].data, outputs[i].nbytes, 1};
    return s->rvv(s->rvv_user, si, s->argv, nt + st->n_imm, r, nr);
}

int modrun_run(mod_session *s, const tensor *inputs, tensor *outputs)
{
    const rvv_module *m = s->m;
    const mod_header *h = m->hdr;
    char a[96], b[96];
    int rc = 0;
    for (uint32_t i = 0; i < h->n_outputs; i++)
        memset(&outputs[i], 0, sizeof outputs[i]);
    for (uint32_t i = 0; i < h->n_inputs; i++) {
        tensor want;
        module_tensor_desc(m, (uint32_t)m->input_tensor[i], &want);
        if (inputs[i].dtype != want.dtype || !shape_equal(&inputs[i], &want))
            return err_set(RV_ESHAPE, "input %u '%s': got %s, the module was compiled for %s", i,
                           module_str(m, m->tensors[m->input_tensor[i]].name),
                           tensor_shape_str(&inputs[i], a, sizeof a), tensor_shape_str(&want, b, sizeof b));
        if (inputs[i].nbytes < want.nbytes || (!inputs[i].data && want.nbytes))
            return err_set(RV_ESHAPE, "input %u: %zu bytes of data, %zu needed", i, inputs[i].nbytes,
                           want.nbytes);
    }
    for (uint32_t i = 0; i < h->n_outputs; i++) {
        module_tensor_desc(m, (uint32_t)m->output_tensor[i], &outputs[i]);
        outputs[i].data = mem_calloc(1, outputs[i].nbytes + 1);
        if (!outputs[i].data) {
            rc = err_set(RV_ENOMEM, "cannot allocate output %u", i);
            goto fail;
        }
    }
    tensor *tv = mem_calloc(s->argv_cap + 1, sizeof *tv);
    if (!tv) {
        rc = err_set(RV_ENOMEM, "out of memory");
        goto fail;
    }
    for (uint32_t si = 0; !rc && si < h->n_steps; si++) {
        const mod_step *st = &m->steps[si];
        ref_deadline saved = ref_step_begin(s->lim.max_step_ms);
        if (st->kind == MOD_STEP_REF) {
            rc = run_ref_step(s, si, inputs, outputs, tv);
        } else if (st->kind == MOD_STEP_CUSTOM) {
            rc = run_custom_step(s, si, inputs, outputs, tv);
        } else if (s->rvv) {
            rc = run_rvv_elsewhere(s, si, inputs, outputs);
        } else {
#if MODRUN_NATIVE
            uint32_t nt = st->n_in + st->n_out;
            for (uint32_t k = 0; k < nt; k++)
                s->argv[k] = (uint64_t)(uintptr_t)tensor_addr(s, m->args[st->args_off + k], inputs, outputs);
            for (uint32_t k = 0; k < st->n_imm; k++)
                s->argv[nt + k] = m->args[st->args_off + nt + k];
            long (*entry)(uint64_t *) = (long (*)(uint64_t *))(void *)(s->code + st->code_off);
            if (entry(s->argv) != 0)
                rc = err_set(RV_EINVAL, "an index read by the step is out of range");
#else
            rc = err_set(RV_ETARGET, "step %u '%s' is RVV code: run the module on riscv64 or under "
                         "qemu-riscv64", si, module_str(m, st->name));
#endif
        }
        if (ref_step_end(saved) && !rc)
            rc = err_set(RV_ELIMIT, "the step ran longer than the limit max_step_ms (%llu ms)",
                         (unsigned long long)s->lim.max_step_ms);
        if (!rc && s->hook) {
            for (uint32_t k = 0; k < st->n_out; k++) {
                uint64_t id = m->args[st->args_off + st->n_in + k];
                memset(&tv[k], 0, sizeof tv[k]);
                if (id != MOD_NO_TENSOR) {
                    module_tensor_desc(m, (uint32_t)id, &tv[k]);
                    tv[k].data = tensor_addr(s, id, inputs, outputs);
                }
            }
            rc = s->hook(s->user, si, tv, st->n_out);
        }
        if (rc)
            rc = err_wrap(rc, "step %u '%s' (%s)", si, module_str(m, st->name), module_str(m, st->op));
    }
    mem_free(tv);
    if (!rc)
        return 0;
fail:
    for (uint32_t i = 0; i < h->n_outputs; i++) {
        mem_free(outputs[i].data);
        outputs[i].data = NULL;
    }
    return rc;
}
