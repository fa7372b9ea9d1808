/* bench-forward.c: local port forwards, Tether against `ssh -N -L`, on the test sshd.
 *
 * The destinations are servers of this program on 127.0.0.1 (the test sshd runs on this
 * machine): a sink that reads a connection to its end and answers one byte, and a server
 * that answers each one-byte request with one byte and closes. A Tether local forward and
 * two `ssh -N -L` processes (plain ssh, and ssh with Tether's cipher and key exchange) lead
 * to both; clients are threads of this program with blocking sockets, the same for all.
 *
 * - bulk: 1 GiB through the forward to the sink, MB/s (goal >= 1.1x ssh);
 * - short connections: 100 connections one after the other (connect, a one-byte request,
 *   the one-byte reply read to the end of the stream, which the server closes, as HTTP/1.0
 *   has it; close), connections per second (goal >= 10x: sshd's EOF and CLOSE after the
 *   reply wait for a delayed ACK without TCP_NODELAY);
 * - memory: 20 clients pushing data through one Tether forward for
 *   TETHER_BENCH_FORWARD_MINUTES minutes (default 10, 0 skips it); the RSS of this process
 *   after a warm-up against at the end (goal: within 5%).
 * The first two run in interleaved rounds in rotated order; each figure is the median of
 * the per-round ratios (DESIGN.md section 6: the CPU speed drifts).
 */
/* For accept4 (). */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-common.h"

#define TOTAL_BYTES ((guint64) 1024 * 1024 * 1024)
#define CHUNK_SIZE (256 * 1024)
#define N_ROUNDS 5
#define N_SHORT 100
#define BULK_GOAL_RATIO 1.1
#define SHORT_GOAL_RATIO 10.0
#define MEMORY_CLIENTS 20
#define DEFAULT_MINUTES 10.0
#define MEMORY_GOAL_PERCENT 5.0
/* The warm-up: a fifth of the run, at most a minute. */
#define WARM_UP_FRACTION 0.2
#define WARM_UP_MAX_S 60.0
#define MEMORY_SAMPLE_S 60
#define STEP_TIMEOUT_MS (90 * 1000)
/* Even a slow build moves 1 GiB, or makes 100 connections through ssh -L, within this. */
#define TRANSFER_TIMEOUT_MS (300 * 1000)
/* How often the wait for ssh's listener looks at /proc/net/tcp. */
#define LISTEN_POLL_MS 10
#define SINK_ACK 'k'
#define LISTEN_BACKLOG 128
#define BYTES_PER_MB 1e6
#define USEC_PER_SEC 1e6
#define SEC_PER_MIN 60.0

static guint8 *chunk;

/* ------------------------------------------------------------------------- */
/* Sockets                                                                   */

static int
listen_loopback (guint *port)
{
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t len = sizeof address;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || bind (fd, (struct sockaddr *) &address, sizeof address) < 0 ||
      listen (fd, LISTEN_BACKLOG) < 0 ||
      getsockname (fd, (struct sockaddr *) &address, &len) < 0)
    g_error ("Could not listen on 127.0.0.1: %s", g_strerror (errno));
  *port = ntohs (address.sin_port);
  return fd;
}

/* A port nobody listens on now, for ssh -L (a race with other programs, fine here). */
static guint
free_port (void)
{
  guint port;
  int fd = listen_loopback (&port);

  close (fd);
  return port;
}

static int
connect_loopback (guint port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
    g_error ("Could not connect to port %u: %s", port, g_strerror (errno));
  return fd;
}

static void
write_all (int           fd,
           const guint8 *data,
           gsize         len)
{
  while (len > 0) {
    gssize n = write (fd, data, len);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      g_error ("Could not write: %s", g_strerror (errno));
    data += n;
    len -= n;
  }
}

static guint8
read_byte (int fd)
{
  guint8 byte;
  gssize n;

  do
    n = read (fd, &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1)
    g_error ("Expected a byte: %s", n == 0 ? "end of stream" : g_strerror (errno));
  return byte;
}

/* ------------------------------------------------------------------------- */
/* Destinations: threads of this program                                    */

/* Reads a connection to its end, then answers SINK_ACK. */
static gpointer
sink_connection (gpointer data)
{
  int fd = GPOINTER_TO_INT (data);
  g_autofree guint8 *buffer = g_malloc (CHUNK_SIZE);
  guint8 ack = SINK_ACK;
  gssize n;

  while ((n = read (fd, buffer, CHUNK_SIZE)) != 0) {
    if (n < 0 && errno != EINTR)
      break;
  }
  if (n == 0)
    write_all (fd, &ack, 1);
  close (fd);
  return NULL;
}

static gpointer
sink_server (gpointer data)
{
  int listener = GPOINTER_TO_INT (data);

  for (;;) {
    int fd = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);

    if (fd < 0 && errno == EINTR)
      continue;
    if (fd < 0)
      g_error ("The sink could not accept: %s", g_strerror (errno));
    g_thread_unref (g_thread_new ("bench-sink", sink_connection, GINT_TO_POINTER (fd)));
  }
  return NULL;
}

/* Answers each connection's one-byte request with that byte, then closes: an HTTP/1.0-like
 * request and reply. */
static gpointer
reply_server (gpointer data)
{
  int listener = GPOINTER_TO_INT (data);

  for (;;) {
    int fd = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
    guint8 byte;
    gssize n;

    if (fd < 0 && errno == EINTR)
      continue;
    if (fd < 0)
      g_error ("The reply server could not accept: %s", g_strerror (errno));
    do
      n = read (fd, &byte, 1);
    while (n < 0 && errno == EINTR);
    if (n == 1)
      write_all (fd, &byte, 1);
    close (fd);
  }
  return NULL;
}

static guint
start_server (GThreadFunc  func,
              const char  *name)
{
  guint port;
  int fd = listen_loopback (&port);

  g_thread_unref (g_thread_new (name, func, GINT_TO_POINTER (fd)));
  return port;
}

/* ------------------------------------------------------------------------- */
/* Clients: a thread each, the main thread iterating meanwhile              */

typedef struct
{
  guint port;
  double seconds;
  gboolean done;
} Job;

/* Wakes the main context: the job's thread is done. */
static void
job_finish (Job *job)
{
  g_idle_add (tether_test_set_flag, &job->done);
}

static gpointer
bulk_client (gpointer data)
{
  Job *job = data;
  gint64 start = g_get_monotonic_time ();
  int fd = connect_loopback (job->port);
  guint64 left = TOTAL_BYTES;

  while (left > 0) {
    gsize n = MIN (CHUNK_SIZE, left);

    write_all (fd, chunk, n);
    left -= n;
  }
  shutdown (fd, SHUT_WR);
  if (read_byte (fd) != SINK_ACK)
    g_error ("The sink did not acknowledge the bulk transfer");
  close (fd);
  job->seconds = (g_get_monotonic_time () - start) / USEC_PER_SEC;
  job_finish (job);
  return NULL;
}

static gpointer
short_client (gpointer data)
{
  Job *job = data;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < N_SHORT; i++) {
    int fd = connect_loopback (job->port);
    guint8 request = (guint8) i;

    guint8 extra;

    /* The reply is whole at the end of the stream, as an HTTP/1.0 client reads it. */
    write_all (fd, &request, 1);
    if (read_byte (fd) != request || read (fd, &extra, 1) != 0)
      g_error ("Connection %u got a wrong reply", i);
    close (fd);
  }
  job->seconds = (g_get_monotonic_time () - start) / USEC_PER_SEC;
  job_finish (job);
  return NULL;
}

/* Seconds @func took against @port on a thread of its own. */
static double
run_job (GThreadFunc  func,
         guint        port,
         const char  *what)
{
  Job job = { port, 0, FALSE };
  GThread *thread = g_thread_new ("bench-client", func, &job);

  tether_test_wait_until (tether_test_flag_is_set, &job.done, TRANSFER_TIMEOUT_MS, what);
  g_thread_join (thread);
  return job.seconds;
}

/* ------------------------------------------------------------------------- */
/* The forwarders                                                            */

typedef struct
{
  guint sink_port;
  guint reply_port;
} Ends;

static gboolean
forward_settled (gpointer data)
{
  TetherForwardState state = tether_forward_get_state (data);

  return state == TETHER_FORWARD_STATE_ACTIVE || state == TETHER_FORWARD_STATE_FAILED;
}

/* A Tether local forward from a free port of 127.0.0.1 to @destination_port, active. */
static guint
tether_forward (TetherHostSession *session,
                guint              destination_port)
{
  TetherForwardList *list = tether_host_session_get_forwards (session);
  g_autoptr(TetherForward) forward = tether_forward_new (TETHER_FORWARD_KIND_LOCAL,
                                                         "127.0.0.1", 0, "127.0.0.1",
                                                         destination_port);
  const GError *error;

  tether_forward_list_add (list, forward);
  tether_forward_start (forward);
  tether_test_wait_until (forward_settled, forward, STEP_TIMEOUT_MS, "the forward to start");
  error = tether_forward_get_error (forward);
  if (tether_forward_get_state (forward) != TETHER_FORWARD_STATE_ACTIVE)
    g_error ("The forward failed: %s", error != NULL ? error->message : "no reason");
  return tether_forward_get_bound_port (forward);
}

static gboolean
session_ready (gpointer data)
{
  return tether_host_session_get_state (data) == TETHER_HOST_SESSION_STATE_READY;
}

/* Whether something listens on 127.0.0.1:@port (as /proc/net/tcp says). */
static gboolean
port_listens (gpointer data)
{
  g_autofree char *table = NULL;
  g_autofree char *needle = g_strdup_printf (" 0100007F:%04X 00000000:0000 0A ",
                                             GPOINTER_TO_UINT (data));

  if (!g_file_get_contents ("/proc/net/tcp", &table, NULL, NULL))
    g_error ("Could not read /proc/net/tcp");
  return strstr (table, needle) != NULL;
}

static gboolean
keep_polling (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  GSubprocess *process;
  Ends ports;
} SshForward;

/* `ssh -N -L` of both ends, listening; @options go before the server's arguments. */
static void
ssh_forward_start (SshForward         *ssh,
                   TetherTestServer   *server,
                   const char * const *options,
                   const Ends         *ends)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) all_options = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *sink = NULL;
  g_autofree char *reply = NULL;
  g_autoptr(GError) error = NULL;
  guint poll;

  ssh->ports.sink_port = free_port ();
  ssh->ports.reply_port = free_port ();
  sink = g_strdup_printf ("127.0.0.1:%u:127.0.0.1:%u", ssh->ports.sink_port, ends->sink_port);
  reply = g_strdup_printf ("127.0.0.1:%u:127.0.0.1:%u", ssh->ports.reply_port,
                           ends->reply_port);
  g_strv_builder_add_many (builder, "-N", "-o", "ControlMaster=no", "-o",
                           "ExitOnForwardFailure=yes", "-L", sink, "-L", reply, NULL);
  if (options != NULL)
    g_strv_builder_addv (builder, (const char **) options);
  all_options = g_strv_builder_end (builder);
  argv = bench_ssh_argv (server, (const char * const *) all_options, NULL);

  ssh->process = g_subprocess_newv ((const char * const *) argv, G_SUBPROCESS_FLAGS_NONE,
                                    &error);
  if (ssh->process == NULL)
    g_error ("Could not start ssh: %s", error->message);
  /* ssh listens once it is logged in; nothing says so but the kernel's table. */
  poll = g_timeout_add (LISTEN_POLL_MS, keep_polling, NULL);
  tether_test_wait_until (port_listens, GUINT_TO_POINTER (ssh->ports.sink_port),
                          STEP_TIMEOUT_MS, "ssh -L to listen");
  tether_test_wait_until (port_listens, GUINT_TO_POINTER (ssh->ports.reply_port),
                          STEP_TIMEOUT_MS, "ssh -L to listen");
  g_source_remove (poll);
}

static void
ssh_forward_stop (SshForward *ssh)
{
  g_subprocess_force_exit (ssh->process);
  g_subprocess_wait (ssh->process, NULL, NULL);
  g_clear_object (&ssh->process);
}

/* ------------------------------------------------------------------------- */
/* Bulk and short connections                                               */

enum {
  CLIENT_TETHER,
  CLIENT_SSH,
  CLIENT_SSH_CIPHER,
  N_CLIENTS
};

typedef struct
{
  Ends ports[N_CLIENTS];
} Forwarders;

static double
bulk_rate (guint    client,
           gpointer user_data)
{
  Forwarders *f = user_data;
  double seconds = run_job (bulk_client, f->ports[client].sink_port, "1 GiB through a forward");

  return TOTAL_BYTES / BYTES_PER_MB / seconds;
}

static double
short_rate (guint    client,
            gpointer user_data)
{
  Forwarders *f = user_data;
  double seconds = run_job (short_client, f->ports[client].reply_port,
                            "short connections through a forward");

  return N_SHORT / seconds;
}

static void
report (const char *label,
        const char *unit,
        double      goal,
        GArray     *tether,
        GArray     *ssh,
        GArray     *ratios)
{
  printf ("%s: tether %.1f %s, ssh %.1f %s, ratio %.2f (goal >= %.1f)\n", label,
          bench_median (tether), unit, bench_median (ssh), unit, bench_median (ratios), goal);
  bench_print_pairs (label, ratios);
}

static void
compare (const char  *what,
         const char  *unit,
         double       goal,
         BenchSample  sample,
         Forwarders  *forwarders,
         const char  *cipher_label)
{
  g_autoptr(GArray) plain_ratios = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cipher_ratios = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *ratios[N_CLIENTS - 1] = { plain_ratios, cipher_ratios };
  GArray *values[N_CLIENTS];
  g_autofree char *label = g_strdup_printf ("%s vs %s", what, cipher_label);

  for (guint c = 0; c < N_CLIENTS; c++)
    values[c] = g_array_new (FALSE, FALSE, sizeof (double));
  bench_interleave (N_ROUNDS, N_CLIENTS, sample, forwarders, values, ratios);
  report (what, unit, goal, values[CLIENT_TETHER], values[CLIENT_SSH], plain_ratios);
  report (label, unit, goal, values[CLIENT_TETHER], values[CLIENT_SSH_CIPHER], cipher_ratios);
  for (guint c = 0; c < N_CLIENTS; c++)
    g_array_unref (values[c]);
  fflush (stdout);
}

/* ------------------------------------------------------------------------- */
/* Memory                                                                    */

typedef struct
{
  guint port;
  gint stop;
  guint64 bytes;
} Pusher;

static gpointer
push_client (gpointer data)
{
  Pusher *pusher = data;
  int fd = connect_loopback (pusher->port);

  while (!g_atomic_int_get (&pusher->stop)) {
    write_all (fd, chunk, CHUNK_SIZE);
    pusher->bytes += CHUNK_SIZE;
  }
  shutdown (fd, SHUT_WR);
  if (read_byte (fd) != SINK_ACK)
    g_error ("The sink did not acknowledge a pusher");
  close (fd);
  return NULL;
}

/* This process's resident set, in KiB. */
static guint64
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "\nVmRSS:")) == NULL)
    g_error ("Could not read the resident set size");
  return g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
}

static gboolean
print_sample (gpointer data)
{
  gint64 *start = data;

  printf ("  memory: %.1f min, RSS %" G_GUINT64_FORMAT " KiB\n",
          (g_get_monotonic_time () - *start) / USEC_PER_SEC / SEC_PER_MIN, rss_kib ());
  fflush (stdout);
  return G_SOURCE_CONTINUE;
}

static void
wait_seconds (double seconds)
{
  gboolean done = FALSE;

  g_timeout_add ((guint) (seconds * 1000), tether_test_set_flag, &done);
  tether_test_wait_until (tether_test_flag_is_set, &done, (guint) (seconds * 1000) +
                          STEP_TIMEOUT_MS, "the time to pass");
}

static void
measure_memory (guint  port,
                double minutes)
{
  Pusher pushers[MEMORY_CLIENTS];
  GThread *threads[MEMORY_CLIENTS];
  double total_s = minutes * SEC_PER_MIN;
  double warm_up_s = MIN (total_s * WARM_UP_FRACTION, WARM_UP_MAX_S);
  double half_s = MAX (total_s / 2, warm_up_s);
  gint64 start = g_get_monotonic_time ();
  guint64 warm_rss;
  guint64 half_rss;
  guint64 end_rss;
  guint64 bytes = 0;
  double growth;
  guint sampler;

  for (guint i = 0; i < MEMORY_CLIENTS; i++) {
    pushers[i] = (Pusher) { port, 0, 0 };
    threads[i] = g_thread_new ("bench-pusher", push_client, &pushers[i]);
  }
  sampler = g_timeout_add_seconds (MEMORY_SAMPLE_S, print_sample, &start);

  wait_seconds (warm_up_s);
  warm_rss = rss_kib ();
  wait_seconds (half_s - warm_up_s);
  half_rss = rss_kib ();
  wait_seconds (total_s - half_s);
  end_rss = rss_kib ();

  for (guint i = 0; i < MEMORY_CLIENTS; i++)
    g_atomic_int_set (&pushers[i].stop, 1);
  for (guint i = 0; i < MEMORY_CLIENTS; i++) {
    g_thread_join (threads[i]);
    bytes += pushers[i].bytes;
  }
  g_source_remove (sampler);

  growth = 100.0 * ((double) end_rss - (double) warm_rss) / (double) warm_rss;
  printf ("memory: %u clients for %.1f min (%.0f MB/s in all): RSS %" G_GUINT64_FORMAT
          " KiB after %.0f s of warm-up, %" G_GUINT64_FORMAT " KiB at the end, %+.1f%% "
          "(goal within %.0f%%)\n", MEMORY_CLIENTS, minutes,
          bytes / BYTES_PER_MB / total_s, warm_rss, warm_up_s, end_rss, growth,
          MEMORY_GOAL_PERCENT);
  /* Growth that stops (bounded queues filling, malloc arenas) is no leak; growth in the
   * second half still going is. */
  printf ("  memory second half: RSS %" G_GUINT64_FORMAT " KiB at %.1f min, %" G_GUINT64_FORMAT
          " KiB at the end, %+.1f%%\n", half_rss, half_s / SEC_PER_MIN, end_rss,
          100.0 * ((double) end_rss - (double) half_rss) / (double) half_rss);
}

/* ------------------------------------------------------------------------- */

static double
memory_minutes (void)
{
  const char *text = g_getenv ("TETHER_BENCH_FORWARD_MINUTES");
  double minutes;
  char *end;

  if (text == NULL || *text == '\0')
    return DEFAULT_MINUTES;
  minutes = g_ascii_strtod (text, &end);
  if (*end != '\0' || minutes < 0)
    g_error ("TETHER_BENCH_FORWARD_MINUTES is not a number of minutes: %s", text);
  return minutes;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TetherTestServer) server = bench_server_new_or_exit ();
  g_autoptr(TetherHost) host = tether_test_server_new_host (server);
  g_autoptr(TetherHostSession) session = tether_host_session_new (host);
  const char *cipher_options[] = { "-c", NULL, "-o", "KexAlgorithms=curve25519-sha256", NULL };
  g_autofree char *cipher_label = NULL;
  double minutes = memory_minutes ();
  SshForward plain = { 0 };
  SshForward same_cipher = { 0 };
  Forwarders forwarders;
  Ends ends;
  const char *cipher;

  chunk = g_malloc (CHUNK_SIZE);
  for (gsize i = 0; i < CHUNK_SIZE; i++)
    chunk[i] = (guint8) (i ^ (i >> 8) ^ (i >> 16));

  ends.sink_port = start_server (sink_server, "bench-sink-server");
  ends.reply_port = start_server (reply_server, "bench-reply-server");

  tether_host_session_connect_async (session, NULL, NULL, NULL);
  tether_test_wait_until (session_ready, session, STEP_TIMEOUT_MS, "the login");
  forwarders.ports[CLIENT_TETHER].sink_port = tether_forward (session, ends.sink_port);
  forwarders.ports[CLIENT_TETHER].reply_port = tether_forward (session, ends.reply_port);

  /* OpenSSH as users get it, and with what Tether negotiated, to tell cipher from client. */
  cipher = tether_connection_get_cipher (tether_host_session_get_connection (session));
  cipher_options[1] = cipher;
  cipher_label = g_strdup_printf ("ssh -c %s -o KexAlgorithms=curve25519-sha256", cipher);
  ssh_forward_start (&plain, server, NULL, &ends);
  ssh_forward_start (&same_cipher, server, cipher_options, &ends);
  forwarders.ports[CLIENT_SSH] = plain.ports;
  forwarders.ports[CLIENT_SSH_CIPHER] = same_cipher.ports;

  printf ("%u interleaved rounds; median of per-round ratios (Tether / ssh -N -L)\n",
          N_ROUNDS);
  compare ("forward bulk 1 GiB", "MB/s", BULK_GOAL_RATIO, bulk_rate, &forwarders,
           cipher_label);
  compare ("forward 100 short connections", "conn/s", SHORT_GOAL_RATIO, short_rate,
           &forwarders, cipher_label);

  ssh_forward_stop (&plain);
  ssh_forward_stop (&same_cipher);

  if (minutes > 0)
    measure_memory (forwarders.ports[CLIENT_TETHER].sink_port, minutes);
  else
    printf ("memory: skipped (TETHER_BENCH_FORWARD_MINUTES=0)\n");

  tether_host_session_close (session);
  g_free (chunk);
  return 0;
}
