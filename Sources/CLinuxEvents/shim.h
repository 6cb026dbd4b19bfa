#ifndef DRGW_CLINUXEVENTS_SHIM_H
#define DRGW_CLINUXEVENTS_SHIM_H

// Linux readiness APIs for the curl transport: epoll and eventfd (the watcher thread), and native
// AIO used only for one-shot socket polls (IOCB_CMD_POLL, Linux 4.18+) whose completions signal an
// eventfd. glibc has no wrappers for the AIO system calls and Swift cannot call the variadic
// syscall(2), so each one gets a typed inline function returning 0 (or a count) or -errno.

#include <errno.h>
#include <linux/aio_abi.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef aio_context_t drgw_aio_context;

static inline int drgw_aio_setup(unsigned events, drgw_aio_context *context) {
    *context = 0;
    return syscall(SYS_io_setup, events, context) == 0 ? 0 : -errno;
}

static inline int drgw_aio_destroy(drgw_aio_context context) {
    return syscall(SYS_io_destroy, context) == 0 ? 0 : -errno;
}

/// Starts a one-shot poll of `fd` for `events` (poll(2) bits). Its completion carries `data`,
/// and `iocb` as its `obj`, and signals `eventfd`.
static inline int drgw_aio_submit_poll(drgw_aio_context context, struct iocb *cb, int fd, unsigned events, int eventfd,
                                       unsigned long long data) {
    memset(cb, 0, sizeof *cb);
    cb->aio_lio_opcode = IOCB_CMD_POLL;
    cb->aio_fildes = (unsigned)fd;
    cb->aio_buf = events;
    cb->aio_flags = IOCB_FLAG_RESFD;
    cb->aio_resfd = (unsigned)eventfd;
    cb->aio_data = data;
    struct iocb *list[1] = {cb};
    long submitted = syscall(SYS_io_submit, context, 1, list);
    if (submitted == 1) return 0;
    return submitted < 0 ? -errno : -EAGAIN;
}

/// Asks the kernel to end a poll; its completion still arrives (then or later) and must be reaped.
static inline int drgw_aio_cancel(drgw_aio_context context, struct iocb *cb) {
    struct io_event result;
    return syscall(SYS_io_cancel, context, cb, &result) == 0 ? 0 : -errno;
}

/// Up to `max` completions that are there now, without waiting.
static inline int drgw_aio_reap(drgw_aio_context context, struct io_event *events, int max) {
    struct timespec zero = {0, 0};
    long got = syscall(SYS_io_getevents, context, 0, max, events, &zero);
    return got >= 0 ? (int)got : -errno;
}

#endif
