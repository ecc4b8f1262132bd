/* extdata.c - external tensor data (data_location = EXTERNAL), resolved
 * only beneath the model's directory.
 *
 * A model names a file by a relative "location"; hostile models name
 * ../../etc/passwd, absolute paths, or symlinks that leave the directory.
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) makes the kernel enforce
 * that; where openat2 is missing (kernel < 5.6) the same rule is applied
 * by hand: no absolute path, no "..", and O_NOFOLLOW on every component.
 * offset + length are checked against fstat before any memory is
 * allocated for the data, so a tiny model cannot claim gigabytes. */
#include "tensorpb.h"
#include "../util/status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

struct rv_open_how {
    uint64_t flags, mode, resolve;
};
#define RV_RESOLVE_NO_SYMLINKS 0x04
#define RV_RESOLVE_BENEATH 0x08

static int open_beneath_fallback(int dirfd, const char *rel)
{
    char path[4096];
    if (strlen(rel) >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(path, rel);
    int fd = dup(dirfd);
    char *save = NULL;
    for (char *part = strtok_r(path, "/", &save); fd >= 0 && part; ) {
        char *next = strtok_r(NULL, "/", &save);
        if (strcmp(part, "..") == 0) {
            close(fd);
            errno = EXDEV;
            return -1;
        }
        int nfd = openat(fd, part, (next ? O_DIRECTORY : 0) | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        close(fd);
        fd = nfd;
        part = next;
    }
    return fd;
}

static int open_beneath(const char *dir, const char *rel)
{
    int dirfd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (dirfd < 0)
        return -1;
    struct rv_open_how how = {O_RDONLY | O_CLOEXEC, 0, RV_RESOLVE_BENEATH | RV_RESOLVE_NO_SYMLINKS};
    int fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof how);
    if (fd < 0 && (errno == ENOSYS || errno == EPERM))
        fd = open_beneath_fallback(dirfd, rel);
    int saved = errno;
    close(dirfd);
    errno = saved;
    return fd;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

int extdata_open(const Onnx__TensorProto *tp, const char *dir, size_t nb, int *fd_out, uint64_t *off_out)
{
    const char *tname = tp->name ? tp->name : "";
    const char *location = NULL;
    uint64_t offset = 0, length = nb;
    int have_length = 0;
    for (size_t i = 0; i < tp->n_external_data; i++) {
        const char *k = tp->external_data[i]->key, *v = tp->external_data[i]->value;
        if (!k || !v)
            continue;
        if (strcmp(k, "location") == 0)
            location = v;
        else if (strcmp(k, "offset") == 0 && parse_u64(v, &offset))
            return err_set(RV_EFORMAT, "tensor '%s': external data offset '%s' is not a number", tname, v);
        else if (strcmp(k, "length") == 0) {
            if (parse_u64(v, &length))
                return err_set(RV_EFORMAT, "tensor '%s': external data length '%s' is not a number",
                               tname, v);
            have_length = 1;
        }
    }
    if (!location || !*location)
        return err_set(RV_EFORMAT, "tensor '%s': external data without a location", tname);
    if (!dir)
        return err_set(RV_EINVAL, "tensor '%s': external data '%s' but the model was not loaded from "
                       "a file", tname, location);
    if (location[0] == '/')
        return err_set(RV_EFORMAT, "tensor '%s': external data location '%s' is absolute; only paths "
                       "beneath the model's directory are allowed", tname, location);
    if (have_length && length != nb)
        return err_set(RV_EFORMAT, "tensor '%s': external data length %llu, the shape needs %zu bytes",
                       tname, (unsigned long long)length, nb);
    int fd = open_beneath(dir, location);
    if (fd < 0)
        return err_set(errno == ENOENT ? RV_ENOTFOUND : RV_EFORMAT,
                       "tensor '%s': external data '%s' cannot be opened beneath '%s': %s "
                       "(paths leaving the model's directory and symlinks are refused)",
                       tname, location, dir, strerror(errno));
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        rc = err_set(RV_EFORMAT, "tensor '%s': external data '%s' is not a regular file", tname, location);
    else if (offset > (uint64_t)st.st_size || nb > (uint64_t)st.st_size - offset)
        rc = err_set(RV_EFORMAT, "tensor '%s': external data '%s': offset %llu + %zu bytes is past its "
                     "end (%lld bytes)", tname, location, (unsigned long long)offset, nb,
                     (long long)st.st_size);
    if (rc) {
        close(fd);
        return rc;
    }
    *fd_out = fd;
    *off_out = offset;
    return 0;
}

int extdata_read(const Onnx__TensorProto *tp, int fd, uint64_t offset, size_t nb, void *dst)
{
    int rc = 0;
    for (size_t done = 0; !rc && done < nb;) {
        ssize_t r = pread(fd, (char *)dst + done, nb - done, (off_t)(offset + done));
        if (r <= 0)
            rc = err_set(RV_EIO, "tensor '%s': reading external data failed at byte %llu: %s",
                         tp->name ? tp->name : "", (unsigned long long)(offset + done),
                         r < 0 ? strerror(errno) : "file shrank");
        else
            done += (size_t)r;
    }
    close(fd);
    return rc;
}
