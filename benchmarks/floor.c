/*
 * floor.c - the unix-socket ping-pong floor for the sysproxy benchmarks.
 *
 * A parent and a forked child talk over an AF_UNIX stream socketpair: the
 * parent writes a 24-byte request (the size of a getpid SYSCALL frame), the
 * child answers with a 48-byte reply (the size of its RESP frame), N times.
 * Every other benchmark figure is divided by this one, so that noisy and slow
 * machines can still be compared (see benchmarks/README.md).
 *
 * usage: floor [N]        (default N = 200000)
 * prints: "floor_us <microseconds per round trip>" and "n <N>"
 *
 * Build: cc -O2 -Wall -o floor floor.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REQ_SIZE 24
#define REPLY_SIZE 48

/* Write all of buf, retrying on partial writes and EINTR. 0 on success. */
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

/* Read exactly len bytes. 0 on success, -1 on error or early EOF. */
static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	long n = 200000;
	int sv[2];
	char req[REQ_SIZE], reply[REPLY_SIZE];
	pid_t pid;
	int status;

	if (argc > 1) {
		n = strtol(argv[1], NULL, 10);
		if (n <= 0) {
			fprintf(stderr, "usage: %s [N]\n", argv[0]);
			return 2;
		}
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		perror("socketpair");
		return 1;
	}
	memset(req, 'q', sizeof(req));
	memset(reply, 'r', sizeof(reply));

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		/* Child: the "server". Answer every request until EOF. */
		close(sv[0]);
		while (read_all(sv[1], req, sizeof(req)) == 0)
			if (write_all(sv[1], reply, sizeof(reply)) < 0)
				_exit(1);
		_exit(0);
	}
	close(sv[1]);

	/* A short warm-up, untimed, so both processes are scheduled in. */
	for (long i = 0; i < 1000; i++)
		if (write_all(sv[0], req, sizeof(req)) < 0 ||
		    read_all(sv[0], reply, sizeof(reply)) < 0)
			goto fail;

	double t0 = now_us();
	for (long i = 0; i < n; i++)
		if (write_all(sv[0], req, sizeof(req)) < 0 ||
		    read_all(sv[0], reply, sizeof(reply)) < 0)
			goto fail;
	double t1 = now_us();

	close(sv[0]);
	waitpid(pid, &status, 0);
	printf("floor_us %.3f\nn %ld\n", (t1 - t0) / n, n);
	return 0;

fail:
	perror("ping-pong");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 1;
}
