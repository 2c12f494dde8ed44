// fork_storm: the benchmark workload. N iterations split over P worker
// processes, each iteration one of:
//   exec    fork + exec /bin/true + exit + wait   (3 events: fork, exec, exit)
//   fork    fork + _exit + wait                   (2 events)
//   thread  pthread_create + join                 (2 events with --threads)
// Prints one JSON line: what it made and its own rate.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void* nothing(void* arg) { return arg; }

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int iterate(const char* mode, long n) {
  for (long i = 0; i < n; ++i) {
    if (!strcmp(mode, "thread")) {
      pthread_t t;
      if (pthread_create(&t, NULL, nothing, NULL) != 0) return 1;
      pthread_join(t, NULL);
      continue;
    }
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      if (!strcmp(mode, "exec")) execl("/bin/true", "true", (char*)NULL);
      _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || status != 0) return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: fork_storm exec|fork|thread ITERATIONS WORKERS\n");
    return 2;
  }
  const char* mode = argv[1];
  long n = atol(argv[2]);
  int workers = atoi(argv[3]);
  if (strcmp(mode, "exec") && strcmp(mode, "fork") && strcmp(mode, "thread")) return 2;
  double start = now();
  for (int w = 0; w < workers; ++w) {
    pid_t pid = fork();
    if (pid == 0) _exit(iterate(mode, n / workers + (w < n % workers)));
  }
  int failed = 0, status;
  while (wait(&status) > 0) failed |= status != 0;
  double seconds = now() - start;
  printf("{\"mode\":\"%s\",\"iterations\":%ld,\"workers\":%d,\"seconds\":%.4f,\"per_second\":%.0f,\"failed\":%d}\n",
         mode, n, workers, seconds, n / seconds, failed);
  return failed;
}
