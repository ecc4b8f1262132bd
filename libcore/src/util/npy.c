/* npy.c - reads and writes NumPy's .npy format: a magic string, a
 * version, a Python-literal header dict ('descr', 'fortran_order',
 * 'shape') and raw little-endian data. The header is parsed strictly
 * (it is untrusted input) and data length must match the shape. */
#include "npy.h"
#include "mem.h"
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct { const char *descr; int dt; } npy_types[] = {
    {"f4", DT_F32}, {"f8", DT_F64}, {"f2", DT_F16}, {"i8", DT_I64}, {"i4", DT_I32},
    {"i2", DT_I16}, {"i1", DT_I8},  {"u1", DT_U8},  {"u2", DT_U16}, {"u4", DT_U32},
    {"u8", DT_U64}, {"b1", DT_BOOL},
};

static const char *find_key(const char *h, size_t n, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl <= n; i++)
        if (memcmp(h + i, key, kl) == 0)
            return h + i + kl;
    return NULL;
}

static const char *skip_to_value(const char *p, const char *end)
{
    while (p < end && (*p == '\'' || *p == '"' || *p == ' ' || *p == ':'))
        p++;
    return p;
}

int npy_decode(const void *buf, size_t len, tensor *out)
{
    const unsigned char *b = buf;
    memset(out, 0, sizeof *out);
    if (len < 10 || memcmp(b, "\x93NUMPY", 6) != 0)
        return err_set(RV_EFORMAT, "npy: missing the \\x93NUMPY magic (not an .npy file)");
    size_t hlen, hoff;
    if (b[6] == 1) {
        hlen = (size_t)b[8] | (size_t)b[9] << 8;
        hoff = 10;
    } else if (b[6] == 2 || b[6] == 3) {
        if (len < 12)
            return err_set(RV_EFORMAT, "npy: truncated header");
        hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        hoff = 12;
    } else {
        return err_set(RV_EUNSUPPORTED, "npy: format version %d.%d not supported", b[6], b[7]);
    }
    if (hlen > len - hoff)
        return err_set(RV_EFORMAT, "npy: header length %zu runs past the end of the file (%zu bytes)",
                       hlen, len);
    const char *h = (const char *)b + hoff, *hend = h + hlen;
    const char *d = find_key(h, hlen, "descr");
    if (!d)
        return err_set(RV_EFORMAT, "npy: header has no 'descr'");
    d = skip_to_value(d, hend);
    if (hend - d < 3)
        return err_set(RV_EFORMAT, "npy: truncated 'descr'");
    if (d[0] == '>')
        return err_set(RV_EUNSUPPORTED, "npy: big-endian data ('%.3s') not supported", d);
    if (d[0] != '<' && d[0] != '|' && d[0] != '=')
        return err_set(RV_EFORMAT, "npy: 'descr' value '%.3s' not understood", d);
    int dt = DT_UNDEFINED;
    for (size_t i = 0; i < sizeof npy_types / sizeof npy_types[0]; i++)
        if (memcmp(d + 1, npy_types[i].descr, 2) == 0 && (d + 3 >= hend || d[3] == '\'' || d[3] == '"'))
            dt = npy_types[i].dt;
    if (!dt)
        return err_set(RV_EUNSUPPORTED, "npy: element type '%.*s' not supported",
                       hend - d < 4 ? (int)(hend - d) : 4, d); /* never past the header */
    const char *fo = find_key(h, hlen, "fortran_order");
    if (fo && (fo = skip_to_value(fo, hend)) < hend && *fo == 'T')
        return err_set(RV_EUNSUPPORTED, "npy: Fortran-order arrays not supported");
    const char *s = find_key(h, hlen, "shape");
    if (!s)
        return err_set(RV_EFORMAT, "npy: header has no 'shape'");
    s = skip_to_value(s, hend);
    if (s >= hend || *s != '(')
        return err_set(RV_EFORMAT, "npy: 'shape' is not a tuple");
    s++;
    out->dtype = dt;
    out->rank = 0;
    while (s < hend && *s != ')') {
        while (s < hend && (*s == ' ' || *s == ','))
            s++;
        if (s < hend && *s == ')')
            break;
        if (s >= hend || *s < '0' || *s > '9')
            return err_set(RV_EFORMAT, "npy: 'shape' has a non-numeric dimension");
        if (out->rank >= TENSOR_MAX_RANK)
            return err_set(RV_ELIMIT, "npy: rank above %d", TENSOR_MAX_RANK);
        errno = 0;
        char *e;
        unsigned long long v = strtoull(s, &e, 10);
        if (errno || v > (1ull << 62))
            return err_set(RV_ELIMIT, "npy: dimension %d too large", out->rank);
        out->dims[out->rank++] = (int64_t)v;
        s = e;
        while (s < hend && (*s == 'L' || *s == ' '))
            s++;
    }
    if (s >= hend)
        return err_set(RV_EFORMAT, "npy: unterminated 'shape'");
    size_t nb;
    int rc = tensor_byte_size(out, &nb);
    if (rc)
        return err_wrap(rc, "npy");
    size_t data_off = hoff + hlen;
    if (len - data_off != nb)
        return err_set(RV_EFORMAT, "npy: %zu data bytes, shape needs %zu", len - data_off, nb);
    out->data = mem_alloc(nb);
    if (!out->data)
        return err_set(RV_ENOMEM, "npy: cannot allocate %zu bytes", nb);
    if (nb)
        memcpy(out->data, b + data_off, nb);
    out->nbytes = nb;
    return 0;
}

int npy_encode(const tensor *t, void **buf, size_t *len)
{
    const char *descr = NULL;
    for (size_t i = 0; i < sizeof npy_types / sizeof npy_types[0]; i++)
        if (npy_types[i].dt == t->dtype)
            descr = npy_types[i].descr;
    if (!descr)
        return err_set(RV_EUNSUPPORTED, "npy: cannot write element type %s", dtype_suffix(t->dtype));
    size_t nb;
    int rc = tensor_byte_size(t, &nb);
    if (rc)
        return rc;
    char hdr[512];
    int off = snprintf(hdr, sizeof hdr, "{'descr': '%c%s', 'fortran_order': False, 'shape': (",
                       dtype_size(t->dtype) == 1 ? '|' : '<', descr);
    for (int i = 0; i < t->rank; i++)
        off += snprintf(hdr + off, sizeof hdr - (size_t)off, "%lld,%s", (long long)t->dims[i],
                        i + 1 < t->rank ? " " : "");
    off += snprintf(hdr + off, sizeof hdr - (size_t)off, "), }");
    /* pad with spaces so data starts 64-byte aligned; header ends in \n */
    size_t total_hdr = 10 + (size_t)off + 1;
    size_t pad = (64 - total_hdr % 64) % 64;
    size_t hlen = (size_t)off + pad + 1;
    *len = 10 + hlen + nb;
    unsigned char *p = mem_alloc(*len);
    if (!p)
        return err_set(RV_ENOMEM, "npy: cannot allocate %zu bytes", *len);
    memcpy(p, "\x93NUMPY\x01\x00", 8);
    p[8] = (unsigned char)(hlen & 0xff);
    p[9] = (unsigned char)(hlen >> 8);
    memcpy(p + 10, hdr, (size_t)off);
    memset(p + 10 + off, ' ', pad);
    p[10 + hlen - 1] = '\n';
    if (nb)
        memcpy(p + 10 + hlen, t->data, nb);
    *buf = p;
    return 0;
}

int npy_save(const char *path, const tensor *t)
{
    void *buf;
    size_t len;
    int rc = npy_encode(t, &buf, &len);
    if (rc)
        return rc;
    rc = file_write_atomic(path, buf, len);
    mem_free(buf);
    return rc;
}

int file_read_all(const char *path, size_t max_bytes, void **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(errno == ENOENT ? RV_ENOTFOUND : RV_EIO, "%s: cannot open: %s", path,
                       strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return err_set(RV_EIO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > max_bytes) {
        fclose(f);
        return err_set(RV_ELIMIT, "%s: %lld bytes exceed the limit max_file_bytes (%zu)", path,
                       (long long)st.st_size, max_bytes);
    }
    size_t n = (size_t)st.st_size;
    void *p = mem_alloc(n);
    if (!p) {
        fclose(f);
        return err_set(RV_ENOMEM, "%s: cannot allocate %zu bytes", path, n);
    }
    if (n && fread(p, 1, n, f) != n) {
        mem_free(p);
        fclose(f);
        return err_set(RV_EIO, "%s: read failed", path);
    }
    fclose(f);
    *buf = p;
    *len = n;
    return 0;
}

int file_write_atomic(const char *path, const void *buf, size_t len)
{
    char tmp[4096];
    struct stat st;
    /* rename would replace a device (/dev/full), directory entry or fifo */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return err_set(RV_EIO, "%s: exists and is not a regular file; refusing to replace it", path);
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp)
        return err_set(RV_EINVAL, "%s: path too long", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return err_set(RV_EIO, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
    const char *p = buf;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w <= 0) {
            if (w < 0 && errno == EINTR)
                continue;
            int e = w < 0 ? errno : ENOSPC;
            close(fd);
            unlink(tmp);
            return err_set(RV_EIO, "%s: write failed after %zu of %zu bytes: %s (nothing was written to "
                           "%s)", path, len - left, len, strerror(e), path);
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 && errno != EINVAL) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return err_set(RV_EIO, "%s: fsync failed: %s", path, strerror(e));
    }
    if (close(fd) != 0) {
        unlink(tmp);
        return err_set(RV_EIO, "%s: close failed", path);
    }
    /* mkstemp creates 0600; outputs are ordinary files */
    chmod(tmp, 0644);
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return err_set(RV_EIO, "%s: rename failed: %s", path, strerror(e));
    }
    return 0;
}
