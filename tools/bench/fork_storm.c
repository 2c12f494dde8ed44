// fork_storm: the benchmark workload (docs/benchmarks.md).
//
//   ft-fork-storm MODE ITERATIONS [WORKERS]     MODE: exec, fork, thread or signal
//   ft-fork-storm hold COUNT
//
// ITERATIONS are split over WORKERS processes (default: one per online CPU),
// released together; each iteration is one of
//   exec    fork + exec of /bin/true (or $FT_STORM_EXEC) + exit + wait
//   fork    fork + _exit + wait
//   thread  pthread_create + join
//   signal  kill(getpid(), SIGUSR1), which a handler takes (the signal
//           hook's cost per signal that ends nothing)
// and the storm prints one JSON line: its pid, the exact number of processes
// it forked, execs and exits it caused and threads it created (the storm's own
// fork, exec and exit are not counted: they belong to whoever started it), its
// wall time from release to the last wait, its rate, and the CPU time of the
// storm and everything it waited for. A tracer's loss is what it saw below
// that pid against these counts.
//
// `hold COUNT` forks COUNT children that sleep until standard input reaches
// end of file, prints one line "held COUNT" once all of them exist, then ends
// them and waits for them: a steady number of live processes for measuring a
// tracer's memory per process.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum mode { MODE_EXEC, MODE_FORK, MODE_THREAD, MODE_SIGNAL };

static void *nothing(void *arg) { return arg; }

static volatile sig_atomic_t handled;

static void on_usr1(int sig) { handled += sig == SIGUSR1; }

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_seconds(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// One worker's share. Any failure ends the worker with status 1, so the
// storm reports failed and its counts are not to be trusted.
static int iterate(enum mode mode, long n, const char *program)
{
	if (mode == MODE_SIGNAL) {
		struct sigaction sa = { .sa_handler = on_usr1 };

		if (sigaction(SIGUSR1, &sa, NULL))
			return 1;
		for (long i = 0; i < n; ++i)
			if (kill(getpid(), SIGUSR1))
				return 1;
		return handled == n ? 0 : 1;
	}
	for (long i = 0; i < n; ++i) {
		if (mode == MODE_THREAD) {
			pthread_t t;

			if (pthread_create(&t, NULL, nothing, NULL) != 0)
				return 1;
			pthread_join(t, NULL);
			continue;
		}
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			if (mode == MODE_EXEC) {
				execl(program, "true", (char *)NULL);
				_exit(127);
			}
			_exit(0);
		}
		int status;

		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				return 1;
		if (status != 0)
			return 1;
	}
	return 0;
}

static int hold(long count)
{
	int gate[2];

	if (pipe(gate))
		return 1;
	for (long i = 0; i < count; ++i) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			count = i;
			break;
		}
		if (pid == 0) {
			char c;

			close(gate[1]);
			while (read(gate[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
	}
	close(gate[0]);
	printf("held %ld\n", count);
	fflush(stdout);
	char buf[256];

	while (read(STDIN_FILENO, buf, sizeof buf) > 0)
		;
	close(gate[1]); // every child's read returns 0
	while (wait(NULL) > 0)
		;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return hold(atol(argv[2]));
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: ft-fork-storm exec|fork|thread|signal ITERATIONS [WORKERS]\n"
				"       ft-fork-storm hold COUNT\n");
		return 2;
	}
	enum mode mode;

	if (!strcmp(argv[1], "exec"))
		mode = MODE_EXEC;
	else if (!strcmp(argv[1], "fork"))
		mode = MODE_FORK;
	else if (!strcmp(argv[1], "thread"))
		mode = MODE_THREAD;
	else if (!strcmp(argv[1], "signal"))
		mode = MODE_SIGNAL;
	else {
		fprintf(stderr, "ft-fork-storm: unknown mode %s\n", argv[1]);
		return 2;
	}
	long n = atol(argv[2]);
	long workers = argc == 4 ? atol(argv[3]) : sysconf(_SC_NPROCESSORS_ONLN);
	const char *program = getenv("FT_STORM_EXEC") ? getenv("FT_STORM_EXEC") : "/bin/true";

	if (n < 0 || workers < 1) {
		fprintf(stderr, "ft-fork-storm: ITERATIONS >= 0 and WORKERS >= 1\n");
		return 2;
	}

	// Workers wait at a gate so they start together and start-up is not timed.
	int gate[2];

	if (pipe(gate))
		return 1;
	for (long w = 0; w < workers; ++w) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			char c;

			close(gate[1]);
			while (read(gate[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(iterate(mode, n / workers + (w < n % workers), program));
		}
	}
	close(gate[0]);
	double start = now();

	close(gate[1]);
	int failed = 0, status;

	while (wait(&status) > 0)
		failed |= status != 0;
	double seconds = now() - start;
	double cpu = cpu_seconds(RUSAGE_SELF) + cpu_seconds(RUSAGE_CHILDREN);
	long forks = workers + (mode == MODE_THREAD || mode == MODE_SIGNAL ? 0 : n);

	printf("{\"mode\":\"%s\",\"pid\":%d,\"iterations\":%ld,\"workers\":%ld,"
	       "\"forks\":%ld,\"execs\":%ld,\"exits\":%ld,\"threads\":%ld,"
	       "\"signals\":%ld,\"seconds\":%.6f,\"per_second\":%.0f,\"cpu_seconds\":%.6f,\"failed\":%d}\n",
	       argv[1], getpid(), n, workers, forks, mode == MODE_EXEC ? n : 0, forks,
	       mode == MODE_THREAD ? n : 0, mode == MODE_SIGNAL ? n : 0, seconds, seconds > 0 ? n / seconds : 0.0, cpu,
	       failed);
	return failed;
}
