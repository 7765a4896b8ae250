/*
 * rumpclient_bench: the benchmark figures driven by NetBSD's own C client
 * library, librumpclient, as real users run it (one connection per process,
 * blocking reads: the library never spins).
 *
 * Built by run.py at benchmark time against the reference tree's headers and
 * library (see benchmarks/README.md); not part of the product.  The server URL
 * comes from $RUMP_SERVER, as for every librumpclient program.
 *
 *   rumpclient_bench rtt getpid N
 *   rumpclient_bench rtt {openclose,stat,pwrite4k,pread4k} PATH N
 *   rumpclient_bench bulk PATH SIZE_MB
 *   rumpclient_bench conc P SECONDS
 *   rumpclient_bench churn SECONDS
 *
 * Output: "key value" lines, the same keys as loadgen's.  Exit status 1 with a
 * message on stderr when a call fails.
 */
#include <stdint.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rumpclient.h>

/* The library's system call stubs, declared here so that NetBSD's struct
 * layouts never meet glibc's: buffers are plain bytes. */
extern pid_t rump___sysimpl_getpid(void);
extern int rump___sysimpl_open(const char *, int, ...);
extern int rump___sysimpl_close(int);
extern int rump___sysimpl_stat50(const char *, void *);
extern ssize_t rump___sysimpl_pread(int, void *, size_t, off_t);
extern ssize_t rump___sysimpl_pwrite(int, const void *, size_t, off_t);
extern ssize_t rump___sysimpl_read(int, void *, size_t);
extern ssize_t rump___sysimpl_write(int, const void *, size_t);
extern int rump___sysimpl_fsync(int);
extern int rump___sysimpl_unlink(const char *);

#define NB_O_RDONLY 0x0
#define NB_O_RDWR 0x2
#define NB_O_CREAT 0x200
#define NB_O_TRUNC 0x400
#define BLOCK (64 * 1024)

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("rumpclient_bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void init(void)
{
	if (rumpclient_init() != 0)
		die("rumpclient_init: %s (RUMP_SERVER=%s)", strerror(errno),
		    getenv("RUMP_SERVER") ? getenv("RUMP_SERVER") : "unset");
}

static void check(long rv, const char *what)
{
	if (rv < 0)
		die("%s: error %d", what, errno);
}

/* rtt NAME [PATH] N: N calls (pairs for openclose) after a warm-up of up to 1,000. */
static int mode_rtt(int argc, char **argv)
{
	if (argc < 2)
		die("usage: rtt NAME [PATH] N");
	const char *name = argv[0];
	int is_getpid = strcmp(name, "getpid") == 0;
	if (!is_getpid && argc < 3)
		die("usage: rtt %s PATH N", name);
	const char *path = is_getpid ? NULL : argv[1];
	long n = atol(argv[is_getpid ? 1 : 2]);
	static char buf[4096], st[512];
	int fd = -1, op;
	init();
	if (is_getpid)
		op = 0;
	else if (strcmp(name, "openclose") == 0 || strcmp(name, "stat") == 0) {
		op = name[0] == 'o' ? 1 : 2;
		fd = rump___sysimpl_open(path, NB_O_CREAT | NB_O_RDWR, 0644);
		check(fd, "create");
		check(rump___sysimpl_close(fd), "close");
	} else if (strcmp(name, "pwrite4k") == 0 || strcmp(name, "pread4k") == 0) {
		op = name[1] == 'w' ? 3 : 4;
		fd = rump___sysimpl_open(path, NB_O_CREAT | NB_O_RDWR, 0644);
		check(fd, "open");
		memset(buf, 'x', sizeof(buf));
		check(rump___sysimpl_pwrite(fd, buf, sizeof(buf), 0), "pwrite");
	} else
		die("unknown rtt figure %s", name);

	double t0 = 0;
	long warm = n < 1000 ? n : 1000;
	for (long i = -warm; i < n; i++) {
		if (i == 0)
			t0 = now_s();
		switch (op) {
		case 0:
			check(rump___sysimpl_getpid(), "getpid");
			break;
		case 1: {
			int f = rump___sysimpl_open(path, NB_O_RDONLY);
			check(f, "open");
			check(rump___sysimpl_close(f), "close");
			break;
		}
		case 2:
			check(rump___sysimpl_stat50(path, st), "stat");
			break;
		case 3:
			if (rump___sysimpl_pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf))
				die("pwrite: short or failed (errno %d)", errno);
			break;
		case 4:
			if (rump___sysimpl_pread(fd, buf, sizeof(buf), 0) != sizeof(buf))
				die("pread: short or failed (errno %d)", errno);
			break;
		}
	}
	double t1 = now_s();
	if (fd >= 0)
		rump___sysimpl_close(fd);
	if (path)
		rump___sysimpl_unlink(path);
	printf("mode rtt\nname %s\nn %ld\nus_per_op %.3f\n", name, n, (t1 - t0) * 1e6 / n);
	return 0;
}

/* bulk PATH SIZE_MB: write in 64 KiB writes + fsync, then read back and verify. */
static int mode_bulk(int argc, char **argv)
{
	if (argc < 2)
		die("usage: bulk PATH SIZE_MB");
	const char *path = argv[0];
	long blocks = atol(argv[1]) * 16;
	static unsigned char buf[BLOCK], rbuf[BLOCK];
	init();
	int fd = rump___sysimpl_open(path, NB_O_CREAT | NB_O_TRUNC | NB_O_RDWR, 0644);
	check(fd, "open");
	double t0 = now_s();
	for (long b = 0; b < blocks; b++) {
		memset(buf, (int)(b & 0xff), 64);
		if (rump___sysimpl_write(fd, buf, BLOCK) != BLOCK)
			die("write: short or failed (errno %d)", errno);
	}
	check(rump___sysimpl_fsync(fd), "fsync");
	double t1 = now_s();
	check(rump___sysimpl_close(fd), "close");
	fd = rump___sysimpl_open(path, NB_O_RDONLY);
	check(fd, "open");
	double t2 = now_s();
	for (long b = 0; b < blocks; b++) {
		if (rump___sysimpl_read(fd, rbuf, BLOCK) != BLOCK)
			die("read: short or failed (errno %d)", errno);
		if (rbuf[0] != (unsigned char)(b & 0xff))
			die("read: block %ld has the wrong data", b);
	}
	double t3 = now_s();
	rump___sysimpl_close(fd);
	rump___sysimpl_unlink(path);
	double bytes = (double)blocks * BLOCK;
	printf("mode bulk\nbytes %.0f\n", bytes);
	printf("write_mb_s %.2f\nwrite_us_per_op %.3f\n", bytes / (t1 - t0) / 1e6,
	       (t1 - t0) * 1e6 / blocks);
	printf("read_mb_s %.2f\nread_us_per_op %.3f\n", bytes / (t3 - t2) / 1e6,
	       (t3 - t2) * 1e6 / blocks);
	return 0;
}

/* conc P SECONDS: P processes, each with its own connection (rumpclient_init
 * after fork), call getpid in a loop; all connect first, then start together. */
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
		char x = 0;
		long count = -1;
		close(ready[0]);
		close(go[1]);
		close(res[0]);
		if (rumpclient_init() == 0 && rump___sysimpl_getpid() > 0)
			count = 0;
		if (write(ready[1], &x, 1) != 1)
			_exit(1);
		close(ready[1]);
		while (read(go[0], &x, 1) < 0 && errno == EINTR)
			;
		if (count == 0) {
			double end = now_s() + secs;
			do {
				if (rump___sysimpl_getpid() < 0) {
					count = -1;
					break;
				}
				count++;
			} while (now_s() < end);
		}
		if (write(res[1], &count, sizeof(count)) != sizeof(count))
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	close(res[1]);
	char x;
	for (int i = 0; i < p; i++)
		if (read(ready[0], &x, 1) != 1) {
			close(go[1]);
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
		die("%d of %d clients failed", failed, p);
	printf("mode conc\nclients %d\ncalls %ld\nseconds %.3f\ncalls_per_s %.1f\n", p, total,
	       t1 - t0, total / (t1 - t0));
	return 0;
}

/* churn SECONDS: fork + rumpclient_init + 1 getpid + exit, in sequence. */
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
			if (rumpclient_init() != 0)
				_exit(1);
			_exit(rump___sysimpl_getpid() > 0 ? 0 : 1);
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
		die("%ld of %ld connections failed", failed, ok + failed);
	printf("mode churn\nconnections %ld\nseconds %.3f\nconns_per_s %.1f\n", ok, t1 - t0,
	       ok / (t1 - t0));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		die("usage: rumpclient_bench MODE ARGS... (RUMP_SERVER=URL in the environment)");
	const char *mode = argv[1];
	if (strcmp(mode, "rtt") == 0)
		return mode_rtt(argc - 2, argv + 2);
	if (strcmp(mode, "bulk") == 0)
		return mode_bulk(argc - 2, argv + 2);
	if (strcmp(mode, "conc") == 0)
		return mode_conc(argc - 2, argv + 2);
	if (strcmp(mode, "churn") == 0)
		return mode_churn(argc - 2, argv + 2);
	die("unknown mode %s", mode);
	return 1;
}
