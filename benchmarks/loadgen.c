/*
 * loadgen.c - a small RUMPSP 0.4 load generator for the sysproxy benchmarks.
 *
 * It speaks the sysproxy wire protocol directly (no librumpclient): connect,
 * read the banner, GUEST handshake, then SYSCALL requests.  While a call runs
 * it answers the server's COPYIN / COPYINSTR requests and applies its COPYOUT
 * requests from / into its own buffers.  The addresses it sends are real
 * pointers into those buffers, but every address the server sends back is
 * checked against the buffers registered for the call in flight; a request
 * outside them is refused with an ERROR frame (never dereferenced).
 *
 * See sysproxy/wire.py for the protocol and benchmarks/README.md
 * for what every mode measures.  Output is "key value" lines on stdout, easy
 * to parse; a figure that cannot be measured (the server lacks a call, a file
 * cannot be created...) prints "na <reason>" and exits with status 3.  A
 * protocol or connection failure prints to stderr and exits with status 1.
 *
 * usage:
 *   loadgen URL rtt getpid N
 *   loadgen URL rtt openclose PATH N
 *   loadgen URL rtt stat PATH N
 *   loadgen URL rtt pwrite4k PATH N
 *   loadgen URL rtt pread4k PATH N
 *   loadgen URL bulk PATH SIZE_MB
 *   loadgen URL conc P SECONDS
 *   loadgen URL churn SECONDS
 *   loadgen URL idle N
 *   loadgen URL startup [TIMEOUT_S]
 *   loadgen URL halt
 * URL is unix://PATH or tcp://A.B.C.D:PORT.
 *
 * Build: cc -O2 -Wall -o loadgen loadgen.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- protocol constants (PROTOCOL.md section 3) ---- */

#define HDR_SIZE 24
#define CLASS_REQ 0
#define CLASS_RESP 1
#define CLASS_ERROR 2

#define T_HANDSHAKE 0
#define T_SYSCALL 1
#define T_COPYIN 2
#define T_COPYINSTR 3
#define T_COPYOUT 4
#define T_COPYOUTSTR 5
#define T_ANONMMAP 6
#define T_RAISE 8

#define HS_GUEST 0
#define SPERR_MALFORMED 7

/* ---- NetBSD ABI: syscall numbers, flags, errno (ABI.md) ---- */

#define SYS_read 3
#define SYS_write 4
#define SYS_open 5
#define SYS_close 6
#define SYS_unlink 10
#define SYS_getpid 20
#define SYS_fsync 95
#define SYS_pread 173
#define SYS_pwrite 174
#define SYS_reboot 208
#define SYS___stat50 439

#define NB_O_RDONLY 0
#define NB_O_WRONLY 1
#define NB_O_RDWR 2
#define NB_O_CREAT 0x200
#define NB_O_TRUNC 0x400

#define NB_ENOENT 2
#define NB_ENOSYS 78

#define STAT_SIZE 152
#define BLOCK_4K 4096
#define BLOCK_64K 65536

static const char *nb_errname(int e)
{
	static const struct { int num; const char *name; } tab[] = {
		{1, "EPERM"}, {2, "ENOENT"}, {3, "ESRCH"}, {4, "EINTR"},
		{5, "EIO"}, {9, "EBADF"}, {12, "ENOMEM"}, {13, "EACCES"},
		{14, "EFAULT"}, {16, "EBUSY"}, {17, "EEXIST"}, {20, "ENOTDIR"},
		{21, "EISDIR"}, {22, "EINVAL"}, {23, "ENFILE"}, {24, "EMFILE"},
		{27, "EFBIG"}, {28, "ENOSPC"}, {30, "EROFS"}, {35, "EAGAIN"},
		{45, "EOPNOTSUPP"}, {57, "ENOTCONN"}, {63, "ENAMETOOLONG"},
		{78, "ENOSYS"}, {86, "ENOTSUP"},
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].num == e)
			return tab[i].name;
	return "errno";
}

/* ---- small helpers ---- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put_u64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);	/* x86_64 and the wire are both little-endian */
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "loadgen: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* The figure cannot be measured against this server: say why and exit 3. */
static void not_available(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("na ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	exit(3);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* writev all of iov[0..cnt), coping with partial writes. */
static int writev_all(int fd, struct iovec *iov, int cnt)
{
	while (cnt > 0) {
		ssize_t n = writev(fd, iov, cnt);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* ---- connection: socket plus a buffered frame reader ---- */

struct conn {
	int fd;
	uint64_t reqno;		/* our next request number */
	unsigned char *rbuf;	/* bytes read but not consumed: [rstart, rend) */
	size_t rcap, rstart, rend;
};

struct frame {
	uint64_t len, reqno;
	uint16_t cls, type;
	uint32_t u;
	unsigned char *body;	/* valid until the next read_frame() */
	size_t blen;
};

/* Stats over the whole run, reported at the end when nonzero. */
static long stat_bad_addr, stat_raise, stat_stray;

/* Make sure at least `need` unconsumed bytes are buffered. 0, or -1 on EOF/error. */
static int fill(struct conn *c, size_t need)
{
	if (c->rend - c->rstart >= need)
		return 0;
	if (c->rstart > 0) {	/* compact */
		memmove(c->rbuf, c->rbuf + c->rstart, c->rend - c->rstart);
		c->rend -= c->rstart;
		c->rstart = 0;
	}
	if (need > c->rcap) {
		size_t cap = c->rcap;
		while (cap < need)
			cap *= 2;
		unsigned char *nb = realloc(c->rbuf, cap);
		if (nb == NULL)
			die("out of memory for a %zu-byte frame", need);
		c->rbuf = nb;
		c->rcap = cap;
	}
	while (c->rend < need) {
		ssize_t n = read(c->fd, c->rbuf + c->rend, c->rcap - c->rend);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return -1;
		c->rend += (size_t)n;
	}
	return 0;
}

/* Read one whole frame, however it was split on the wire. 0, or -1 on EOF. */
static int read_frame(struct conn *c, struct frame *f)
{
	if (fill(c, HDR_SIZE) < 0)
		return -1;
	unsigned char *h = c->rbuf + c->rstart;
	f->len = get_u64(h);
	f->reqno = get_u64(h + 8);
	memcpy(&f->cls, h + 16, 2);
	memcpy(&f->type, h + 18, 2);
	memcpy(&f->u, h + 20, 4);
	if (f->len < HDR_SIZE || f->len > ((uint64_t)1 << 30))
		die("bad frame length %llu from the server", (unsigned long long)f->len);
	if (fill(c, f->len) < 0)
		return -1;
	f->body = c->rbuf + c->rstart + HDR_SIZE;
	f->blen = f->len - HDR_SIZE;
	c->rstart += f->len;
	if (c->rstart == c->rend)
		c->rstart = c->rend = 0;
	return 0;
}

static void make_hdr(unsigned char *h, uint64_t len, uint64_t reqno,
		     uint16_t cls, uint16_t type, uint32_t u)
{
	put_u64(h, len);
	put_u64(h + 8, reqno);
	memcpy(h + 16, &cls, 2);
	memcpy(h + 18, &type, 2);
	memcpy(h + 20, &u, 4);
}

/* Parse unix://PATH or tcp://A.B.C.D:PORT. 0 on success. */
static int parse_url(const char *url, struct sockaddr_storage *ss, socklen_t *slen)
{
	memset(ss, 0, sizeof(*ss));
	if (strncmp(url, "unix://", 7) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;
		const char *path = url + 7;
		if (strlen(path) >= sizeof(sun->sun_path))
			return -1;
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, path);
		*slen = sizeof(*sun);
		return 0;
	}
	if (strncmp(url, "tcp://", 6) == 0) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		char host[64];
		const char *colon = strrchr(url + 6, ':');
		if (colon == NULL || (size_t)(colon - (url + 6)) >= sizeof(host))
			return -1;
		memcpy(host, url + 6, (size_t)(colon - (url + 6)));
		host[colon - (url + 6)] = '\0';
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)atoi(colon + 1));
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -1;
		*slen = sizeof(*sin);
		return 0;
	}
	return -1;
}

static const char *g_url;	/* the server's URL */

/*
 * Connect, read the banner, do the GUEST handshake.  0 on success, -1 on
 * failure (with a message on stderr unless quiet: startup polls quietly).
 */
static int conn_open(struct conn *c, const char *name, int quiet)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	char banner[96];
	struct frame f;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (parse_url(g_url, &ss, &slen) < 0)
		die("cannot parse URL %s (want unix://PATH or tcp://ADDR:PORT)", g_url);
	c->fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (c->fd < 0) {
		if (!quiet)
			perror("loadgen: socket");
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&ss, slen) < 0) {
		if (!quiet)
			fprintf(stderr, "loadgen: connect %s: %s\n", g_url, strerror(errno));
		goto fail;
	}
	if (ss.ss_family == AF_INET) {
		int one = 1;
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}

	/* The banner comes in one write; like librumpclient, read it in one read. */
	ssize_t n;
	do
		n = read(c->fd, banner, sizeof(banner) - 1);
	while (n < 0 && errno == EINTR);
	if (n <= 0 || banner[n - 1] != '\n') {
		if (!quiet)
			fprintf(stderr, "loadgen: bad or missing banner (%zd bytes)\n", n);
		goto fail;
	}

	c->rcap = 256 * 1024;
	c->rbuf = malloc(c->rcap);
	if (c->rbuf == NULL)
		die("out of memory");
	c->reqno = 1;		/* librumpclient's connect step uses up 0 */

	/* GUEST handshake: body = name + NUL; reply RESP HANDSHAKE, int 0. */
	size_t nlen = strlen(name) + 1;
	unsigned char req[HDR_SIZE + 64];
	if (nlen > 64)
		nlen = 64;
	make_hdr(req, HDR_SIZE + nlen, c->reqno, CLASS_REQ, T_HANDSHAKE, HS_GUEST);
	memcpy(req + HDR_SIZE, name, nlen);
	req[HDR_SIZE + nlen - 1] = '\0';
	if (write_all(c->fd, req, HDR_SIZE + nlen) < 0 || read_frame(c, &f) < 0) {
		if (!quiet)
			fprintf(stderr, "loadgen: connection lost during the handshake\n");
		goto fail;
	}
	int err = -1;
	if (f.blen >= 4)
		memcpy(&err, f.body, 4);
	if (f.cls != CLASS_RESP || f.type != T_HANDSHAKE || f.reqno != c->reqno || err != 0) {
		if (!quiet)
			fprintf(stderr, "loadgen: handshake refused (class %u type %u "
				"union %u error %d)\n", f.cls, f.type, f.u, err);
		goto fail;
	}
	c->reqno++;
	return 0;

fail:
	close(c->fd);
	free(c->rbuf);
	c->fd = -1;
	c->rbuf = NULL;
	return -1;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->rbuf);
	c->fd = -1;
	c->rbuf = NULL;
}

/* ---- one syscall, with the copy requests it triggers ---- */

/* A buffer the server may read (COPYIN/COPYINSTR) or write (COPYOUT). */
struct region {
	void *base;
	size_t len;
	int writable;
};

#define MAX_REGIONS 4
struct call {
	int sysnum;
	uint64_t args[8];
	int nargs;
	struct region reg[MAX_REGIONS];
	int nreg;
};

struct sysret {
	int error;		/* NetBSD errno, 0 on success */
	int64_t rv0, rv1;
};

static void call_init(struct call *cl, int sysnum)
{
	memset(cl, 0, sizeof(*cl));
	cl->sysnum = sysnum;
}

/* An int argument: low 4 bytes, upper bytes zero (PROTOCOL.md section 4). */
static void arg_int(struct call *cl, int v)
{
	cl->args[cl->nargs++] = (uint32_t)v;
}

static void arg_u64(struct call *cl, uint64_t v)
{
	cl->args[cl->nargs++] = v;
}

/* A pointer argument into a buffer the server may access while the call runs. */
static void arg_buf(struct call *cl, void *p, size_t len, int writable)
{
	cl->args[cl->nargs++] = (uint64_t)(uintptr_t)p;
	if (p != NULL) {
		cl->reg[cl->nreg].base = p;
		cl->reg[cl->nreg].len = len;
		cl->reg[cl->nreg].writable = writable;
		cl->nreg++;
	}
}

/*
 * The registered region that holds [addr, addr+len), or NULL.  With
 * len_is_max (COPYINSTR) only addr itself must lie inside; the caller
 * clips the length.
 */
static struct region *find_region(struct call *cl, uint64_t addr, uint64_t len,
				  int len_is_max)
{
	for (int i = 0; i < cl->nreg; i++) {
		uint64_t base = (uint64_t)(uintptr_t)cl->reg[i].base;
		uint64_t rlen = cl->reg[i].len;
		if (addr < base || addr - base >= rlen + (len == 0 ? 1 : 0))
			continue;
		if (len_is_max || len <= rlen - (addr - base))
			return &cl->reg[i];
	}
	return NULL;
}

/* Say so on stderr, but only the first few times. */
static int complain(void)
{
	static int complaints;
	if (complaints == 3)
		fprintf(stderr, "loadgen: (further refused copies are only counted)\n");
	return complaints++ < 3;
}

static void send_error(struct conn *c, uint64_t reqno, uint32_t code)
{
	unsigned char h[HDR_SIZE];
	make_hdr(h, HDR_SIZE, reqno, CLASS_ERROR, T_HANDSHAKE, code);
	if (write_all(c->fd, h, HDR_SIZE) < 0)
		die("write to the server: %s", strerror(errno));
	stat_bad_addr++;
}

static void send_resp(struct conn *c, uint64_t reqno, uint16_t type,
		      const void *data, size_t len)
{
	unsigned char h[HDR_SIZE];
	struct iovec iov[2];
	make_hdr(h, HDR_SIZE + len, reqno, CLASS_RESP, type, 0);
	iov[0].iov_base = h;
	iov[0].iov_len = HDR_SIZE;
	iov[1].iov_base = (void *)data;
	iov[1].iov_len = len;
	if (writev_all(c->fd, iov, len > 0 ? 2 : 1) < 0)
		die("write to the server: %s", strerror(errno));
}

/* Answer (or apply) one request the server made while our call runs. */
static void serve_request(struct conn *c, struct call *cl, struct frame *f)
{
	uint64_t len, addr;
	struct region *r;

	switch (f->type) {
	case T_COPYIN:
	case T_COPYINSTR:
		if (f->blen < 16) {
			send_error(c, f->reqno, SPERR_MALFORMED);
			return;
		}
		len = get_u64(f->body);
		addr = get_u64(f->body + 8);
		r = find_region(cl, addr, len, f->type == T_COPYINSTR);
		if (r == NULL && len > 0) {
			if (complain())
				fprintf(stderr, "loadgen: refusing %s of %llu bytes at 0x%llx "
					"(not in a buffer of this call)\n",
					f->type == T_COPYIN ? "COPYIN" : "COPYINSTR",
					(unsigned long long)len, (unsigned long long)addr);
			send_error(c, f->reqno, SPERR_MALFORMED);
			return;
		}
		if (f->type == T_COPYINSTR && len > 0) {
			/* The string and its NUL; the whole len if there is no NUL. */
			size_t avail = r->len - (size_t)(addr - (uint64_t)(uintptr_t)r->base);
			size_t lim = len < avail ? (size_t)len : avail;
			const char *s = (const char *)(uintptr_t)addr;
			const char *nul = memchr(s, '\0', lim);
			if (nul != NULL)
				len = (uint64_t)(nul - s) + 1;
			else if (lim < len) {
				if (complain())
					fprintf(stderr, "loadgen: refusing COPYINSTR that runs past "
						"the end of the buffer\n");
				send_error(c, f->reqno, SPERR_MALFORMED);
				return;
			}
		}
		/* The reply to COPYINSTR is a RESP of type COPYIN as well. */
		send_resp(c, f->reqno, T_COPYIN, (const void *)(uintptr_t)addr, (size_t)len);
		return;

	case T_COPYOUT:
	case T_COPYOUTSTR:
		/* No reply: refused copies are only counted (nobody waits). */
		if (f->blen < 16) {
			stat_bad_addr++;
			return;
		}
		len = get_u64(f->body);
		addr = get_u64(f->body + 8);
		r = find_region(cl, addr, len, 0);
		if (len > f->blen - 16 || (len > 0 && (r == NULL || !r->writable))) {
			if (complain())
				fprintf(stderr, "loadgen: ignoring COPYOUT of %llu bytes at 0x%llx "
					"(not in a writable buffer of this call)\n",
					(unsigned long long)len, (unsigned long long)addr);
			stat_bad_addr++;
			return;
		}
		memcpy((void *)(uintptr_t)addr, f->body + 16, (size_t)len);
		return;

	case T_ANONMMAP: {
		/* We map nothing for the server: address 0 means failure (ENOMEM). */
		unsigned char zero[8] = {0};
		send_resp(c, f->reqno, T_ANONMMAP, zero, sizeof(zero));
		return;
	}

	case T_RAISE:
		stat_raise++;	/* a benchmark client ignores signals */
		return;

	default:
		send_error(c, f->reqno, SPERR_MALFORMED);
		return;
	}
}

/*
 * Issue one SYSCALL and serve the server's requests until its RESP comes.
 * Returns 0 with *ret filled in, or dies on a protocol or connection error.
 */
static void do_call(struct conn *c, struct call *cl, struct sysret *ret)
{
	unsigned char req[HDR_SIZE + 8 * 8];
	size_t len = HDR_SIZE + 8 * (size_t)cl->nargs;
	uint64_t reqno = c->reqno++;
	struct frame f;

	make_hdr(req, len, reqno, CLASS_REQ, T_SYSCALL, (uint32_t)cl->sysnum);
	for (int i = 0; i < cl->nargs; i++)
		put_u64(req + HDR_SIZE + 8 * i, cl->args[i]);
	if (write_all(c->fd, req, len) < 0)
		die("syscall %d: write: %s", cl->sysnum, strerror(errno));

	for (;;) {
		if (read_frame(c, &f) < 0)
			die("syscall %d: connection closed by the server", cl->sysnum);
		if (f.cls == CLASS_REQ) {
			serve_request(c, cl, &f);
			continue;
		}
		if (f.reqno != reqno) {
			stat_stray++;	/* answers nothing we asked: drop it */
			continue;
		}
		if (f.cls == CLASS_ERROR)
			die("syscall %d: server answered ERROR %u", cl->sysnum, f.u);
		if (f.cls != CLASS_RESP || f.type != T_SYSCALL || f.blen < 24)
			die("syscall %d: unexpected reply class %u type %u len %llu",
			    cl->sysnum, f.cls, f.type, (unsigned long long)f.len);
		memcpy(&ret->error, f.body, 4);
		memcpy(&ret->rv0, f.body + 8, 8);
		memcpy(&ret->rv1, f.body + 16, 8);
		return;
	}
}

/* ---- the calls the benchmarks use ---- */

static struct sysret sys_getpid(struct conn *c)
{
	struct call cl;
	struct sysret r;
	call_init(&cl, SYS_getpid);
	do_call(c, &cl, &r);
	return r;
}

static struct sysret sys_open(struct conn *c, const char *path, int flags, int mode)
{
	struct call cl;
	struct sysret r;
	call_init(&cl, SYS_open);
	arg_buf(&cl, (void *)path, strlen(path) + 1, 0);
	arg_int(&cl, flags);
	arg_int(&cl, mode);
	do_call(c, &cl, &r);
	return r;
}

static struct sysret sys_fd(struct conn *c, int sysnum, int fd)	/* close, fsync */
{
	struct call cl;
	struct sysret r;
	call_init(&cl, sysnum);
	arg_int(&cl, fd);
	do_call(c, &cl, &r);
	return r;
}

static struct sysret sys_path(struct conn *c, int sysnum, const char *path)	/* unlink */
{
	struct call cl;
	struct sysret r;
	call_init(&cl, sysnum);
	arg_buf(&cl, (void *)path, strlen(path) + 1, 0);
	do_call(c, &cl, &r);
	return r;
}

/* read/write (fd, buf, nbyte); writable = the server writes into buf (read). */
static struct sysret sys_rw(struct conn *c, int sysnum, int fd, void *buf,
			    size_t n, int writable)
{
	struct call cl;
	struct sysret r;
	call_init(&cl, sysnum);
	arg_int(&cl, fd);
	arg_buf(&cl, buf, n, writable);
	arg_u64(&cl, n);
	do_call(c, &cl, &r);
	return r;
}

/* pread/pwrite (fd, buf, nbyte, PAD, offset). */
static struct sysret sys_prw(struct conn *c, int sysnum, int fd, void *buf,
			     size_t n, int64_t off, int writable)
{
	struct call cl;
	struct sysret r;
	call_init(&cl, sysnum);
	arg_int(&cl, fd);
	arg_buf(&cl, buf, n, writable);
	arg_u64(&cl, n);
	arg_u64(&cl, 0);
	arg_u64(&cl, (uint64_t)off);
	do_call(c, &cl, &r);
	return r;
}

static struct sysret sys_stat(struct conn *c, const char *path, void *st)
{
	struct call cl;
	struct sysret r;
	call_init(&cl, SYS___stat50);
	arg_buf(&cl, (void *)path, strlen(path) + 1, 0);
	arg_buf(&cl, st, STAT_SIZE, 1);
	do_call(c, &cl, &r);
	return r;
}

/* Give up on the figure if a call failed. */
static void check(struct sysret r, const char *what)
{
	if (r.error != 0)
		not_available("%s failed: %s (%d)", what, nb_errname(r.error), r.error);
}

/* ---- modes ---- */

static void print_stats(void)
{
	if (stat_bad_addr)
		printf("refused_copies %ld\n", stat_bad_addr);
	if (stat_raise)
		printf("raise_frames %ld\n", stat_raise);
	if (stat_stray)
		printf("stray_replies %ld\n", stat_stray);
}

/*
 * Make sure PATH exists as a file (create it if needed).  Returns 1 if we
 * created it (so the caller unlinks it at the end), 0 if it already existed,
 * -1 if it neither exists nor can be created (errno value in *err).
 */
static int ensure_file(struct conn *c, const char *path, int *err)
{
	struct sysret r = sys_open(c, path, NB_O_RDONLY, 0);
	int created = 0;
	if (r.error == NB_ENOENT) {
		r = sys_open(c, path, NB_O_CREAT | NB_O_RDWR, 0644);
		created = 1;
	}
	if (r.error != 0) {
		*err = r.error;
		return -1;
	}
	sys_fd(c, SYS_close, (int)r.rv0);
	return created;
}

static int mode_rtt(int argc, char **argv)
{
	const char *what = argv[0];
	const char *path = NULL;
	long n;
	struct conn c;
	struct sysret r;
	int fd = -1, created = 0, err = 0;
	static char buf[BLOCK_4K];
	char st[STAT_SIZE];

	if (strcmp(what, "getpid") == 0) {
		if (argc < 2)
			die("usage: rtt getpid N");
		n = atol(argv[1]);
	} else {
		if (argc < 3)
			die("usage: rtt %s PATH N", what);
		path = argv[1];
		n = atol(argv[2]);
	}
	if (n <= 0)
		die("N must be positive");
	enum { B_GETPID, B_OPENCLOSE, B_STAT, B_PWRITE, B_PREAD } kind =
		strcmp(what, "openclose") == 0 ? B_OPENCLOSE :
		strcmp(what, "stat") == 0 ? B_STAT :
		strcmp(what, "pwrite4k") == 0 ? B_PWRITE :
		strcmp(what, "pread4k") == 0 ? B_PREAD : B_GETPID;
	if (kind == B_GETPID && strcmp(what, "getpid") != 0)
		die("unknown rtt benchmark %s", what);
	if (conn_open(&c, "loadgen", 0) < 0)
		exit(1);
	memset(buf, 'w', sizeof(buf));

	/* Set-up: make the file the call works on. */
	if (kind == B_OPENCLOSE || kind == B_STAT) {
		created = ensure_file(&c, path, &err);
		if (created < 0) {
			printf("note cannot create %s (%s %d), using / instead\n",
			       path, nb_errname(err), err);
			path = "/";
			created = 0;
		}
	} else if (kind == B_PWRITE || kind == B_PREAD) {
		int is_read = kind == B_PREAD;
		r = sys_open(&c, path, NB_O_CREAT | NB_O_RDWR, 0644);
		if (r.error == 0) {
			created = 1;
			fd = (int)r.rv0;
			if (is_read)	/* give the file 4 KiB to read */
				check(sys_prw(&c, SYS_pwrite, fd, buf, sizeof(buf), 0, 0),
				      "pwrite (setup)");
		} else {
			const char *dev = is_read ? "/dev/zero" : "/dev/null";
			err = r.error;
			printf("note cannot create %s (%s %d), using %s instead\n",
			       path, nb_errname(r.error), r.error, dev);
			r = sys_open(&c, dev, is_read ? NB_O_RDONLY : NB_O_RDWR, 0);
			if (r.error != 0)
				not_available("cannot create %s (%s) nor open %s (%s)", path,
					      nb_errname(err), dev, nb_errname(r.error));
			fd = (int)r.rv0;
			path = dev;
		}
	}

	/* One call of each kind first: fail early and warm the caches. */
	long warm = n / 10 < 1000 ? n / 10 : 1000;
	if (warm < 1)
		warm = 1;
	double t0 = 0;
	for (long i = -warm; i < n; i++) {
		if (i == 0)
			t0 = now_s();
		switch (kind) {
		case B_GETPID:
			r = sys_getpid(&c);
			check(r, "getpid");
			if (i == -warm && r.rv0 <= 0)
				not_available("getpid returned %lld", (long long)r.rv0);
			break;
		case B_OPENCLOSE:
			r = sys_open(&c, path, NB_O_RDONLY, 0);
			check(r, "open");
			check(sys_fd(&c, SYS_close, (int)r.rv0), "close");
			break;
		case B_STAT:
			check(sys_stat(&c, path, st), "__stat50");
			break;
		case B_PWRITE:
			r = sys_prw(&c, SYS_pwrite, fd, buf, sizeof(buf), 0, 0);
			check(r, "pwrite");
			if (r.rv0 != sizeof(buf))
				not_available("pwrite wrote %lld bytes, not 4096", (long long)r.rv0);
			break;
		case B_PREAD:
			r = sys_prw(&c, SYS_pread, fd, buf, sizeof(buf), 0, 1);
			check(r, "pread");
			if (r.rv0 != sizeof(buf))
				not_available("pread read %lld bytes, not 4096", (long long)r.rv0);
			break;
		}
	}
	double t1 = now_s();

	if (fd >= 0)
		sys_fd(&c, SYS_close, fd);
	if (created)
		sys_path(&c, SYS_unlink, path);
	conn_close(&c);
	printf("mode rtt %s\nn %ld\nus_per_op %.3f\n", what, n, (t1 - t0) * 1e6 / n);
	if (path != NULL)
		printf("path %s\n", path);
	print_stats();
	return 0;
}

static int mode_bulk(int argc, char **argv)
{
	if (argc < 2)
		die("usage: bulk PATH SIZE_MB");
	const char *path = argv[0];
	long mib = atol(argv[1]);
	long blocks = mib * (1024 * 1024 / BLOCK_64K);
	static unsigned char buf[BLOCK_64K], ref[BLOCK_64K];
	struct conn c;
	struct sysret r;

	if (blocks <= 0)
		die("SIZE_MB must be positive");
	for (size_t i = 0; i < sizeof(ref); i++)
		ref[i] = (unsigned char)(i * 7 + 3);
	if (conn_open(&c, "loadgen", 0) < 0)
		exit(1);

	r = sys_open(&c, path, NB_O_CREAT | NB_O_TRUNC | NB_O_RDWR, 0644);
	check(r, "open (create)");
	int fd = (int)r.rv0;

	/* Write phase: SIZE MiB in 64 KiB writes, then fsync. Each block
	 * starts with its index so the read-back can check the order. */
	double t0 = now_s();
	for (long b = 0; b < blocks; b++) {
		memcpy(buf, ref, sizeof(buf));
		memcpy(buf, &b, sizeof(b));
		r = sys_rw(&c, SYS_write, fd, buf, sizeof(buf), 0);
		check(r, "write");
		if (r.rv0 != sizeof(buf))
			not_available("short write: %lld bytes", (long long)r.rv0);
	}
	check(sys_fd(&c, SYS_fsync, fd), "fsync");
	double t1 = now_s();
	check(sys_fd(&c, SYS_close, fd), "close");

	/* Read phase: the same data back in 64 KiB reads, verified. */
	r = sys_open(&c, path, NB_O_RDONLY, 0);
	check(r, "open (read back)");
	fd = (int)r.rv0;
	double t2 = now_s();
	for (long b = 0; b < blocks; b++) {
		long got;
		r = sys_rw(&c, SYS_read, fd, buf, sizeof(buf), 1);
		check(r, "read");
		if (r.rv0 != sizeof(buf))
			not_available("short read: %lld bytes at block %ld", (long long)r.rv0, b);
		memcpy(&got, buf, sizeof(got));
		if (got != b || memcmp(buf + sizeof(b), ref + sizeof(b),
				       sizeof(buf) - sizeof(b)) != 0)
			not_available("data read back differs from data written (block %ld)", b);
	}
	double t3 = now_s();
	sys_fd(&c, SYS_close, fd);
	check(sys_path(&c, SYS_unlink, path), "unlink");
	conn_close(&c);

	double bytes = (double)blocks * BLOCK_64K;
	printf("mode bulk\nbytes %.0f\n", bytes);
	printf("write_mb_s %.2f\nwrite_us_per_op %.3f\n",
	       bytes / (t1 - t0) / 1e6, (t1 - t0) * 1e6 / blocks);
	printf("read_mb_s %.2f\nread_us_per_op %.3f\n",
	       bytes / (t3 - t2) / 1e6, (t3 - t2) * 1e6 / blocks);
	print_stats();
	return 0;
}

/*
 * conc P SECONDS: P processes, each on its own connection, call getpid in a
 * loop.  All connect first, then start together on a "go" pipe closing.
 */
static int mode_conc(int argc, char **argv)
{
	if (argc < 2)
		die("usage: conc P SECONDS");
	int p = atoi(argv[0]);
	double secs = atof(argv[1]);
	int ready[2], go[2], res[2];
	if (p <= 0 || secs <= 0)
		die("P and SECONDS must be positive");
	if (pipe(ready) < 0 || pipe(go) < 0 || pipe(res) < 0)
		die("pipe: %s", strerror(errno));
	fflush(stdout);

	for (int i = 0; i < p; i++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid > 0)
			continue;
		/* child */
		struct conn c;
		char x = 0;
		long count = -1;
		close(ready[0]);
		close(go[1]);
		close(res[0]);
		if (conn_open(&c, "loadgen-conc", 0) == 0) {
			sys_getpid(&c);
			count = 0;
		}
		/* Close our end once ready: if a sibling dies before it is
		 * ready, the parent then sees EOF instead of waiting forever. */
		write_all(ready[1], &x, 1);
		close(ready[1]);
		while (read(go[0], &x, 1) < 0 && errno == EINTR)
			;
		if (count == 0) {
			double end = now_s() + secs;
			do {
				struct sysret r = sys_getpid(&c);
				if (r.error != 0) {
					count = -1;
					break;
				}
				count++;
			} while (now_s() < end);
			conn_close(&c);
		}
		write_all(res[1], &count, sizeof(count));
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	close(res[1]);

	/* Wait until every child is connected, then let them all go. */
	char x;
	for (int i = 0; i < p; i++)
		if (read(ready[0], &x, 1) != 1) {
			close(go[1]);	/* release the others, collect them */
			while (wait(NULL) > 0)
				;
			die("a conc child died before it was ready");
		}
	double t0 = now_s();
	close(go[1]);

	long total = 0;
	int failed = 0;
	for (int i = 0; i < p; i++) {
		long count;
		if (read(res[0], &count, sizeof(count)) != sizeof(count) || count < 0)
			failed++;
		else
			total += count;
	}
	double t1 = now_s();
	while (wait(NULL) > 0)
		;
	if (failed)
		not_available("%d of %d clients failed", failed, p);
	printf("mode conc\nclients %d\ncalls %ld\nseconds %.3f\ncalls_per_s %.1f\n",
	       p, total, t1 - t0, total / (t1 - t0));
	return 0;
}

/* churn SECONDS: fork + connect + handshake + 1 getpid + exit, in sequence. */
static int mode_churn(int argc, char **argv)
{
	if (argc < 1)
		die("usage: churn SECONDS");
	double secs = atof(argv[0]);
	long ok = 0, failed = 0;
	fflush(stdout);
	double t0 = now_s(), t1;
	do {
		pid_t pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			struct conn c;
			if (conn_open(&c, "loadgen-churn", 0) < 0)
				_exit(1);
			struct sysret r = sys_getpid(&c);
			_exit(r.error == 0 ? 0 : 1);
		}
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ok++;
		else
			failed++;
		t1 = now_s();
	} while (t1 - t0 < secs && failed < 10);
	if (failed)
		not_available("%ld of %ld connections failed", failed, ok + failed);
	printf("mode churn\nconnections %ld\nseconds %.3f\nconns_per_s %.1f\n",
	       ok, t1 - t0, ok / (t1 - t0));
	return 0;
}

static volatile sig_atomic_t got_signal;
static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

/* idle N: N connected, handshaken clients doing nothing until stdin closes. */
static int mode_idle(int argc, char **argv)
{
	if (argc < 1)
		die("usage: idle N");
	int n = atoi(argv[0]);
	struct rlimit rl;
	struct sigaction sa;

	/* Each connection is one descriptor: raise our limit as far as allowed. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 16) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: read() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	struct conn *cs = calloc((size_t)n, sizeof(*cs));
	if (cs == NULL)
		die("out of memory");
	for (int i = 0; i < n; i++) {
		if (conn_open(&cs[i], "loadgen-idle", 0) < 0)
			not_available("connection %d of %d failed", i + 1, n);
		/* The read buffer is not needed while idle. */
		free(cs[i].rbuf);
		cs[i].rbuf = NULL;
	}
	printf("ready %d\n", n);
	fflush(stdout);

	char b[64];
	while (!got_signal) {
		ssize_t r = read(0, b, sizeof(b));
		if (r == 0 || (r < 0 && errno != EINTR))
			break;
	}
	for (int i = 0; i < n; i++)
		conn_close(&cs[i]);
	free(cs);
	printf("closed %d\n", n);
	return 0;
}

/*
 * startup [TIMEOUT_S]: try to connect every millisecond until a getpid is
 * answered; print the CLOCK_MONOTONIC time of that answer (seconds), which
 * is the clock Python's time.monotonic() reads on Linux. (A tighter loop
 * steals CPU from the server it is waiting for on a 2-core machine.)
 */
static int mode_startup(int argc, char **argv)
{
	double timeout = argc > 0 ? atof(argv[0]) : 60.0;
	double t0 = now_s();
	long attempts = 0;
	struct conn c;

	for (;;) {
		attempts++;
		if (conn_open(&c, "loadgen-startup", 1) == 0) {
			struct sysret r = sys_getpid(&c);
			double t = now_s();
			conn_close(&c);
			if (r.error != 0)
				not_available("getpid failed: %s (%d)", nb_errname(r.error), r.error);
			printf("mode startup\nanswered_at %.6f\nattempts %ld\n", t, attempts);
			return 0;
		}
		if (now_s() - t0 > timeout)
			not_available("no answer within %.0f s", timeout);
		usleep(1000);
	}
}

/* halt: reboot(0, NULL), what rump.halt sends; the server replies and exits. */
static int mode_halt(void)
{
	struct conn c;
	struct call cl;
	struct sysret r;
	if (conn_open(&c, "loadgen-halt", 0) < 0)
		exit(1);
	call_init(&cl, SYS_reboot);
	arg_int(&cl, 0);
	arg_buf(&cl, NULL, 0, 0);
	do_call(&c, &cl, &r);
	conn_close(&c);
	check(r, "reboot");
	printf("mode halt\nerror 0\n");
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: loadgen URL MODE ...\n"
		"  rtt getpid N | rtt {openclose,stat,pwrite4k,pread4k} PATH N\n"
		"  bulk PATH SIZE_MB | conc P SECONDS | churn SECONDS | idle N\n"
		"  startup [TIMEOUT_S] | halt\n"
		"URL: unix://PATH or tcp://ADDR:PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	signal(SIGPIPE, SIG_IGN);
	g_url = argv[1];
	const char *mode = argv[2];
	argc -= 3;
	argv += 3;
	if (strcmp(mode, "rtt") == 0 && argc >= 1)
		return mode_rtt(argc, argv);
	if (strcmp(mode, "bulk") == 0)
		return mode_bulk(argc, argv);
	if (strcmp(mode, "conc") == 0)
		return mode_conc(argc, argv);
	if (strcmp(mode, "churn") == 0)
		return mode_churn(argc, argv);
	if (strcmp(mode, "idle") == 0)
		return mode_idle(argc, argv);
	if (strcmp(mode, "startup") == 0)
		return mode_startup(argc, argv);
	if (strcmp(mode, "halt") == 0)
		return mode_halt();
	usage();
	return 2;
}
