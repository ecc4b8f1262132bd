/* hostcall.c - running custom-op steps of modules, in-process or for
 * rvvnn-rt over a socket to the host process (protocol in hostcall.h). */
#include "hostcall.h"
#include "../../util/mem.h"
#include "../../util/status.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define HC_MAX_ARGS 64
#define HC_MAX_TENSOR ((uint64_t)16 << 30)

static const char *node_name(const ir_node *n, char *buf, size_t cap)
{
    snprintf(buf, cap, "'%s' (%s%s%s)", n->name, n->domain, n->domain[0] ? "::" : "", n->op_type);
    return buf;
}

int custom_step_run(const custom_ops *t, const ir_node *n, tensor *const *in, int n_in, tensor *const *out,
                    int n_out)
{
    char nm[256], a[96], b[96];
    const custom_op *co = custom_ops_find(t, n);
    if (!co)
        return err_set(RV_EUNSUPPORTED, "custom operator of node %s is not registered: register it "
                       "(rvvnn_register_op) on the options the session is created with", node_name(n, nm, sizeof nm));
    if (n_out > HC_MAX_ARGS)
        return err_set(RV_ELIMIT, "node %s: more than %d outputs", node_name(n, nm, sizeof nm), HC_MAX_ARGS);
    tensor shp[HC_MAX_ARGS], *sp[HC_MAX_ARGS], *run_out[HC_MAX_ARGS];
    memset(shp, 0, sizeof shp);
    for (int k = 0; k < n_out; k++)
        sp[k] = &shp[k];
    int rc = co->shape(co->user, n, in, n_in, sp, n_out);
    if (rc == RV_EDYNAMIC)
        return err_set(RV_EINTERNAL, "node %s: the shape function cannot tell the output shape from the "
                       "inputs", node_name(n, nm, sizeof nm));
    if (rc)
        return rc;
    for (int k = 0; !rc && k < n_out; k++) {
        if (out[k]) {
            if (shp[k].dtype != out[k]->dtype || !shape_equal(&shp[k], out[k]))
                rc = err_set(RV_ESHAPE, "node %s output %d: the shape function gives %s at run time, the "
                             "module was compiled for %s", node_name(n, nm, sizeof nm), k,
                             tensor_shape_str(&shp[k], a, sizeof a), tensor_shape_str(out[k], b, sizeof b));
            run_out[k] = out[k];
            continue;
        }
        size_t nb; /* an omitted output: scratch the kernel may write */
        if ((rc = tensor_byte_size(&shp[k], &nb)))
            break;
        if (!(shp[k].data = mem_calloc(1, nb + 1)))
            rc = err_set(RV_ENOMEM, "out of memory");
        shp[k].nbytes = nb;
        run_out[k] = &shp[k];
    }
    if (!rc)
        rc = co->run(co->user, n, in, n_in, run_out, n_out);
    for (int k = 0; k < n_out; k++)
        if (!out[k])
            mem_free(shp[k].data);
    return rc;
}

int custom_step_local(void *user, uint32_t step, const ir_node *n, tensor *const *in, int n_in,
                      tensor *const *out, int n_out)
{
    (void)step;
    return custom_step_run(user, n, in, n_in, out, n_out);
}

/* ---- the socket ---- */

static int send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return err_set(RV_EIO, "custom-op call to the host: send failed: %s", strerror(errno));
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* 0 = all read; 1 = the peer closed before the first byte (when at_start). */
static int recv_all(int fd, void *p, size_t n, int at_start)
{
    char *c = p;
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, c + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0 && got == 0 && at_start)
            return 1;
        if (r <= 0)
            return err_set(RV_EIO, "custom-op call: the other side %s", r == 0 ? "closed the connection"
                           : strerror(errno));
        got += (size_t)r;
    }
    return 0;
}

typedef struct hc_desc {
    uint32_t present;
    int32_t dtype;
    uint32_t rank;
    int64_t dims[8];
    uint64_t nbytes;
} hc_desc;

int hostcall_request(int fd, uint32_t step, tensor *const *in, int n_in, tensor *const *out, int n_out)
{
    uint32_t hdr[4] = {HOSTCALL_REQ, step, (uint32_t)n_in, (uint32_t)n_out};
    int rc = send_all(fd, hdr, sizeof hdr);
    for (int k = 0; !rc && k < n_in; k++) {
        hc_desc d;
        memset(&d, 0, sizeof d);
        d.present = in[k] != NULL;
        if (in[k]) {
            d.dtype = in[k]->dtype;
            d.rank = (uint32_t)in[k]->rank;
            memcpy(d.dims, in[k]->dims, sizeof d.dims);
            d.nbytes = in[k]->nbytes;
        }
        if (!(rc = send_all(fd, &d, sizeof d)) && in[k] && d.nbytes)
            rc = send_all(fd, in[k]->data, d.nbytes);
    }
    uint32_t rep[2];
    if (rc || (rc = recv_all(fd, rep, sizeof rep, 0)))
        return rc;
    if (rep[0] != HOSTCALL_REP)
        return err_set(RV_EIO, "custom-op call: malformed reply from the host");
    int status = (int32_t)rep[1];
    if (status) {
        uint32_t len;
        char msg[1024];
        if ((rc = recv_all(fd, &len, 4, 0)))
            return rc;
        size_t keep = len < sizeof msg - 1 ? len : sizeof msg - 1;
        if ((rc = recv_all(fd, msg, keep, 0)))
            return rc;
        msg[keep] = 0;
        for (uint32_t i = (uint32_t)keep; i < len; i++) { /* drain the rest */
            char ch;
            if ((rc = recv_all(fd, &ch, 1, 0)))
                return rc;
        }
        return err_set(status < 0 && status >= -64 ? status : RV_EINTERNAL, "%s", msg);
    }
    for (int k = 0; k < n_out; k++) {
        if (!out[k])
            continue;
        uint64_t nb;
        if ((rc = recv_all(fd, &nb, 8, 0)))
            return rc;
        if (nb != out[k]->nbytes)
            return err_set(RV_EIO, "custom-op call: the host sent %llu bytes for output %d, %zu expected",
                           (unsigned long long)nb, k, out[k]->nbytes);
        if (nb && (rc = recv_all(fd, out[k]->data, nb, 0)))
            return rc;
    }
    return 0;
}

/* Reads one request's inputs into ins (data mem_alloc'd). */
static int read_inputs(int fd, uint32_t n_in, tensor *ins, tensor **pin)
{
    for (uint32_t k = 0; k < n_in; k++) {
        hc_desc d;
        int rc = recv_all(fd, &d, sizeof d, 0);
        if (rc)
            return rc;
        pin[k] = NULL;
        if (!d.present)
            continue;
        tensor *t = &ins[k];
        memset(t, 0, sizeof *t);
        t->dtype = d.dtype;
        t->rank = (int)d.rank;
        size_t nb;
        if (d.rank > TENSOR_MAX_RANK || !dtype_size(d.dtype))
            return err_set(RV_EIO, "custom-op call: input %u has a bad type or rank", k);
        memcpy(t->dims, d.dims, sizeof t->dims);
        if (tensor_byte_size(t, &nb) || nb != d.nbytes || d.nbytes > HC_MAX_TENSOR)
            return err_set(RV_EIO, "custom-op call: input %u size disagrees with its shape", k);
        if (!(t->data = mem_alloc(nb + 1)))
            return err_set(RV_ENOMEM, "out of memory receiving a custom-op input");
        t->nbytes = nb;
        if (nb && (rc = recv_all(fd, t->data, nb, 0)))
            return rc;
        pin[k] = t;
    }
    return 0;
}

/* One request: run it and reply. Returns a transport error (<0, stop),
 * or 0 with *call_rc set to the callback's status. */
static int serve_one(int fd, const rvv_module *m, const custom_ops *t, const uint32_t *hdr, int *call_rc)
{
    uint32_t si = hdr[1], n_in = hdr[2], n_out = hdr[3];
    if (si >= m->hdr->n_steps || m->steps[si].kind != MOD_STEP_CUSTOM || n_in != m->steps[si].n_in ||
        n_out != m->steps[si].n_out || n_in > HC_MAX_ARGS || n_out > HC_MAX_ARGS)
        return err_set(RV_EIO, "custom-op call for step %u, which is not a custom step of this module", si);
    const mod_step *st = &m->steps[si];
    tensor ins[HC_MAX_ARGS], outs[HC_MAX_ARGS], *pin[HC_MAX_ARGS], *pout[HC_MAX_ARGS];
    memset(ins, 0, sizeof ins);
    memset(outs, 0, sizeof outs);
    int rc = read_inputs(fd, n_in, ins, pin);
    for (uint32_t k = 0; !rc && k < n_out; k++) {
        uint64_t id = m->args[st->args_off + n_in + k];
        pout[k] = NULL;
        if (id == MOD_NO_TENSOR)
            continue;
        module_tensor_desc(m, (uint32_t)id, &outs[k]);
        if (!(outs[k].data = mem_calloc(1, outs[k].nbytes + 1)))
            rc = err_set(RV_ENOMEM, "out of memory");
        pout[k] = &outs[k];
    }
    if (!rc) {
        *call_rc = custom_step_run(t, &m->g->nodes[m->step_node[si]], pin, (int)n_in, pout, (int)n_out);
        uint32_t rep[2] = {HOSTCALL_REP, (uint32_t)*call_rc};
        rc = send_all(fd, rep, sizeof rep);
        if (!rc && *call_rc) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", err_message());
            uint32_t len = (uint32_t)strlen(msg);
            if (!(rc = send_all(fd, &len, 4)))
                rc = send_all(fd, msg, len);
            if (!rc)
                err_set(*call_rc, "%s", msg); /* keep the callback's message for the caller */
        }
        for (uint32_t k = 0; !rc && !*call_rc && k < n_out; k++)
            if (pout[k] && !(rc = send_all(fd, &outs[k].nbytes, 8)) && outs[k].nbytes)
                rc = send_all(fd, outs[k].data, outs[k].nbytes);
    }
    for (uint32_t k = 0; k < HC_MAX_ARGS; k++) {
        mem_free(ins[k].data);
        mem_free(outs[k].data);
    }
    return rc;
}

int hostcall_serve(int fd, const rvv_module *m, const custom_ops *t)
{
    int first = 0;
    char msg[1024] = "";
    for (;;) {
        uint32_t hdr[4];
        int rc = recv_all(fd, hdr, sizeof hdr, 1);
        if (rc == 1)
            break; /* the runner is done */
        if (!rc && hdr[0] != HOSTCALL_REQ)
            rc = err_set(RV_EIO, "custom-op call: malformed request from the runner");
        int call_rc = 0;
        if (!rc)
            rc = serve_one(fd, m, t, hdr, &call_rc);
        if (rc)
            return rc;
        if (call_rc && !first) {
            first = call_rc;
            snprintf(msg, sizeof msg, "%s", err_message());
        }
    }
    return first ? err_set(first, "%s", msg) : 0;
}
