/* tether-remote-ports-parse.c: what listens on a server, from the output of
 * TETHER_REMOTE_PORTS_SCRIPT (see tether-remote-ports-private.h).
 *
 * The output is sections, each after a line `@tether-ports NAME`:
 * - proc: LISTEN lines of /proc/net/tcp and /proc/net/tcp6 (`0: 0100007F:0BB8 ... 0A ...
 *   inode`); the kernel prints each 32-bit word of an address in the server's byte order,
 *   read here as little-endian (x86, ARM, RISC-V: every Linux server in practice);
 * - fd: `/proc/PID/fd socket:[INODE]` for the sockets of the processes the user may see;
 * - comm: `/proc/PID/comm:NAME`;
 * - ss: `ss -ltn[p]` output, with or without its State and Netid columns;
 * - none: neither is there.
 * Anything else is skipped line by line: the server is not trusted to be well-formed.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "tether-remote-ports-private.h"

#define PORT_MAX 65535
#define IPV4_HEX_LEN 8
#define IPV6_HEX_LEN 32
#define PORT_HEX_LEN 4
/* /proc/net/tcp's columns: sl, local, remote, st, tx:rx, tr:when, retrnsmt, uid, timeout,
 * inode. */
#define PROC_COLUMN_LOCAL 1
#define PROC_COLUMN_STATE 3
#define PROC_COLUMN_INODE 9
#define PROC_STATE_LISTEN "0A"
/* The most words of a line looked at: enough for every column above. */
#define MAX_WORDS 12

typedef enum {
  SECTION_NONE,
  SECTION_PROC,
  SECTION_FD,
  SECTION_COMM,
  SECTION_SS,
} Section;

/* One listening socket, before sockets are grouped by port. */
typedef struct {
  guint port;
  guint order;               /* position in the output, to keep it within a port */
  char address[INET6_ADDRSTRLEN];
  gboolean loopback;
  guint64 inode;             /* 0: not known (ss) */
  char *process;             /* from ss; NULL otherwise */
} Socket;

typedef struct {
  GArray *sockets;           /* Socket */
  GHashTable *inode_pids;    /* inode (guint64 *) -> pid */
  GHashTable *pid_names;     /* pid -> name */
  TetherRemotePortsSource source;
} Parse;

/* A line as words separated by blanks (never more than MAX_WORDS). */
typedef struct {
  const char *start[MAX_WORDS];
  gsize len[MAX_WORDS];
  guint n;
} Words;

static void
split_words (const char *line,
             gsize       len,
             Words      *words)
{
  gsize i = 0;

  words->n = 0;
  while (i < len && words->n < MAX_WORDS) {
    gsize start;

    while (i < len && (line[i] == ' ' || line[i] == '\t'))
      i++;
    if (i == len)
      break;
    start = i;
    while (i < len && line[i] != ' ' && line[i] != '\t')
      i++;
    words->start[words->n] = line + start;
    words->len[words->n] = i - start;
    words->n++;
  }
}

static gboolean
word_is (const Words *words,
         guint        i,
         const char  *text)
{
  return i < words->n && words->len[i] == strlen (text) &&
         memcmp (words->start[i], text, words->len[i]) == 0;
}

/* Hex digits only, exactly LEN of them, as a number of at most 32 bits. */
static gboolean
parse_hex32 (const char *text,
             gsize       len,
             guint32    *out)
{
  guint32 value = 0;

  if (len == 0 || len > 8)
    return FALSE;
  for (gsize i = 0; i < len; i++) {
    int digit = g_ascii_xdigit_value (text[i]);

    if (digit < 0)
      return FALSE;
    value = (value << 4) | (guint32) digit;
  }
  *out = value;
  return TRUE;
}

/* Decimal digits only, at most MAX. */
static gboolean
parse_decimal (const char *text,
               gsize       len,
               guint64     max,
               guint64    *out)
{
  guint64 value = 0;

  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++) {
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
    value = value * 10 + (guint64) (text[i] - '0');
    if (value > max)
      return FALSE;
  }
  *out = value;
  return TRUE;
}

static gboolean
is_loopback (int           family,
             const guint8 *bytes)
{
  static const guint8 loopback6[16] = { [15] = 1 };
  static const guint8 mapped_prefix[12] = { [10] = 0xFF, [11] = 0xFF };

  if (family == AF_INET)
    return bytes[0] == 127;
  if (memcmp (bytes, loopback6, sizeof loopback6) == 0)
    return TRUE;
  return memcmp (bytes, mapped_prefix, sizeof mapped_prefix) == 0 && bytes[12] == 127;
}

static void
add_socket (Parse        *p,
            int           family,
            const guint8 *bytes,
            guint         port,
            guint64       inode,
            const char   *process)
{
  Socket socket = { 0 };

  if (port == 0 || port > PORT_MAX)
    return;
  if (inet_ntop (family, bytes, socket.address, sizeof socket.address) == NULL)
    return;
  socket.port = port;
  socket.order = p->sockets->len;
  socket.loopback = is_loopback (family, bytes);
  socket.inode = inode;
  socket.process = g_strdup (process);
  g_array_append_val (p->sockets, socket);
}

/* `   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 4242`
 * and more columns. */
static void
parse_proc_line (Parse      *p,
                 const char *line,
                 gsize       len)
{
  Words words;
  const char *local;
  const char *colon;
  gsize address_len;
  guint8 bytes[16];
  guint32 port;
  guint64 inode = 0;
  int family;

  split_words (line, len, &words);
  if (words.n <= PROC_COLUMN_STATE || !word_is (&words, PROC_COLUMN_STATE, PROC_STATE_LISTEN))
    return;
  if (words.len[0] < 2 || words.start[0][words.len[0] - 1] != ':')
    return;

  local = words.start[PROC_COLUMN_LOCAL];
  colon = memchr (local, ':', words.len[PROC_COLUMN_LOCAL]);
  if (colon == NULL)
    return;
  address_len = colon - local;
  if (address_len == IPV4_HEX_LEN)
    family = AF_INET;
  else if (address_len == IPV6_HEX_LEN)
    family = AF_INET6;
  else
    return;
  if (words.len[PROC_COLUMN_LOCAL] - address_len - 1 != PORT_HEX_LEN ||
      !parse_hex32 (colon + 1, PORT_HEX_LEN, &port))
    return;

  /* Each 32-bit word in the (little-endian) server's order: its low byte comes first. */
  for (gsize w = 0; w < address_len / IPV4_HEX_LEN; w++) {
    guint32 word;

    if (!parse_hex32 (local + w * IPV4_HEX_LEN, IPV4_HEX_LEN, &word))
      return;
    for (guint b = 0; b < 4; b++)
      bytes[w * 4 + b] = (word >> (8 * b)) & 0xFF;
  }

  if (words.n > PROC_COLUMN_INODE &&
      !parse_decimal (words.start[PROC_COLUMN_INODE], words.len[PROC_COLUMN_INODE],
                      G_MAXUINT64 / 10, &inode))
    inode = 0;
  add_socket (p, family, bytes, port, inode, NULL);
}

/* PID from `/proc/PID/` followed by SUFFIX at TEXT; the rest after it in *REST. */
static gboolean
parse_proc_pid (const char  *text,
                gsize        len,
                const char  *suffix,
                guint       *pid,
                const char **rest)
{
  static const char prefix[] = "/proc/";
  gsize digits = 0;
  guint64 value;

  if (len < strlen (prefix) || memcmp (text, prefix, strlen (prefix)) != 0)
    return FALSE;
  text += strlen (prefix);
  len -= strlen (prefix);
  while (digits < len && g_ascii_isdigit (text[digits]))
    digits++;
  if (!parse_decimal (text, digits, G_MAXUINT, &value) || value == 0)
    return FALSE;
  if (len - digits < strlen (suffix) || memcmp (text + digits, suffix, strlen (suffix)) != 0)
    return FALSE;
  *pid = (guint) value;
  *rest = text + digits + strlen (suffix);
  return TRUE;
}

/* `/proc/1234/fd socket:[4242]` */
static void
parse_fd_line (Parse      *p,
               const char *line,
               gsize       len)
{
  static const char socket_prefix[] = "socket:[";
  const char *end = line + len;
  const char *rest;
  const char *close;
  guint64 inode;
  guint pid;

  if (!parse_proc_pid (line, len, "/fd ", &pid, &rest))
    return;
  if ((gsize) (end - rest) < strlen (socket_prefix) + 2 ||
      memcmp (rest, socket_prefix, strlen (socket_prefix)) != 0)
    return;
  rest += strlen (socket_prefix);
  close = memchr (rest, ']', end - rest);
  if (close == NULL || close + 1 != end ||
      !parse_decimal (rest, close - rest, G_MAXUINT64 / 10, &inode) || inode == 0)
    return;
  /* The first process to hold it: a forked server shares its listener with children. */
  if (!g_hash_table_contains (p->inode_pids, &inode))
    g_hash_table_insert (p->inode_pids, g_memdup2 (&inode, sizeof inode),
                         GUINT_TO_POINTER (pid));
}

/* A process name fit to show: valid UTF-8, no control characters, not too long. */
static char *
clean_name (const char *text,
            gsize       len)
{
  /* A character cut at the limit, like any invalid byte or a NUL, becomes U+FFFD. */
  g_autofree char *valid = g_utf8_make_valid (text, MIN (len, TETHER_REMOTE_PORTS_MAX_PROCESS));

  for (char *c = valid; *c != '\0'; c++) {
    if ((guchar) *c < 0x20 || *c == 0x7F)
      *c = '?';
  }
  g_strstrip (valid);
  if (*valid == '\0')
    return NULL;
  return g_steal_pointer (&valid);
}

/* `/proc/1234/comm:node` */
static void
parse_comm_line (Parse      *p,
                 const char *line,
                 gsize       len)
{
  const char *rest;
  char *name;
  guint pid;

  if (!parse_proc_pid (line, len, "/comm:", &pid, &rest))
    return;
  name = clean_name (rest, line + len - rest);
  if (name != NULL)
    g_hash_table_replace (p->pid_names, GUINT_TO_POINTER (pid), name);
}

/* ss's local address: `0.0.0.0:22`, `*:22`, `[::]:22`, `:::22`, `127.0.0.53%lo:53`,
 * `[fe80::1%eth0]:22`. */
static gboolean
parse_ss_address (const char *text,
                  gsize       len,
                  int        *family,
                  guint8     *bytes,
                  guint      *port)
{
  const char *colon = NULL;
  char host[INET6_ADDRSTRLEN + 1];
  gsize host_len;
  guint64 value;
  char *percent;

  for (gsize i = len; i > 0; i--) {
    if (text[i - 1] == ':') {
      colon = text + i - 1;
      break;
    }
  }
  if (colon == NULL ||
      !parse_decimal (colon + 1, text + len - colon - 1, PORT_MAX, &value) || value == 0)
    return FALSE;
  *port = (guint) value;

  host_len = colon - text;
  if (host_len >= 2 && text[0] == '[' && text[host_len - 1] == ']') {
    text++;
    host_len -= 2;
  }
  if (host_len == 0 || host_len >= sizeof host)
    return FALSE;
  memcpy (host, text, host_len);
  host[host_len] = '\0';
  percent = strchr (host, '%');
  if (percent != NULL)
    *percent = '\0';

  /* ss writes `*` for a socket on every address of both families. */
  if (strcmp (host, "*") == 0) {
    *family = AF_INET6;
    memset (bytes, 0, 16);
    return TRUE;
  }
  *family = strchr (host, ':') != NULL ? AF_INET6 : AF_INET;
  return inet_pton (*family, host, bytes) == 1;
}

/* ss's process column: `users:(("sshd",pid=644,fd=3))`, or `users:(("sshd",644,3))` of
 * older versions: the first name. */
static char *
parse_ss_process (const char *text,
                  gsize       len)
{
  static const char prefix[] = "users:((\"";
  const char *end = text + len;
  const char *start;
  const char *quote;

  start = g_strstr_len (text, len, prefix);
  if (start == NULL)
    return NULL;
  start += strlen (prefix);
  quote = memchr (start, '"', end - start);
  if (quote == NULL)
    return NULL;
  return clean_name (start, quote - start);
}

/* `LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=644,fd=3))`, maybe after a Netid
 * (`tcp`), maybe without the State. */
static void
parse_ss_line (Parse      *p,
               const char *line,
               gsize       len)
{
  Words words;
  guint first = 0;
  guint64 queue;
  guint8 bytes[16];
  guint port;
  int family;
  g_autofree char *process = NULL;
  const char *after_peer;

  split_words (line, len, &words);
  if (word_is (&words, first, "tcp"))
    first++;
  if (word_is (&words, first, "LISTEN"))
    first++;
  /* Recv-Q, Send-Q, local address, peer address: the header and other states fail here. */
  if (words.n < first + 4 ||
      !parse_decimal (words.start[first], words.len[first], G_MAXUINT64 / 10, &queue) ||
      !parse_decimal (words.start[first + 1], words.len[first + 1], G_MAXUINT64 / 10, &queue))
    return;
  if (!parse_ss_address (words.start[first + 2], words.len[first + 2], &family, bytes, &port))
    return;
  after_peer = words.start[first + 3] + words.len[first + 3];
  process = parse_ss_process (after_peer, line + len - after_peer);
  add_socket (p, family, bytes, port, 0, process);
}

/* `@tether-ports NAME` */
static gboolean
parse_marker (Parse      *p,
              const char *line,
              gsize       len,
              Section    *section)
{
  static const struct {
    const char *name;
    Section section;
    TetherRemotePortsSource source;
  } sections[] = {
    { "proc", SECTION_PROC, TETHER_REMOTE_PORTS_SOURCE_PROC },
    { "fd", SECTION_FD, TETHER_REMOTE_PORTS_SOURCE_UNKNOWN },
    { "comm", SECTION_COMM, TETHER_REMOTE_PORTS_SOURCE_UNKNOWN },
    { "ss", SECTION_SS, TETHER_REMOTE_PORTS_SOURCE_SS },
    { "none", SECTION_NONE, TETHER_REMOTE_PORTS_SOURCE_NONE },
  };
  Words words;

  split_words (line, len, &words);
  if (words.n != 2 || !word_is (&words, 0, TETHER_REMOTE_PORTS_MARKER))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (sections); i++) {
    if (word_is (&words, 1, sections[i].name)) {
      *section = sections[i].section;
      if (sections[i].source != TETHER_REMOTE_PORTS_SOURCE_UNKNOWN)
        p->source = sections[i].source;
      return TRUE;
    }
  }
  *section = SECTION_NONE;
  return TRUE;
}

static int
compare_sockets (gconstpointer a,
                 gconstpointer b)
{
  const Socket *x = a;
  const Socket *y = b;

  if (x->port != y->port)
    return x->port < y->port ? -1 : 1;
  return x->order < y->order ? -1 : (x->order > y->order);
}

static const char *
socket_process (Parse        *p,
                const Socket *socket)
{
  gpointer pid;

  if (socket->process != NULL)
    return socket->process;
  if (socket->inode == 0 ||
      !g_hash_table_lookup_extended (p->inode_pids, &socket->inode, NULL, &pid))
    return NULL;
  return g_hash_table_lookup (p->pid_names, pid);
}

/* The sockets grouped by port, their addresses once each. */
static GArray *
group_by_port (Parse *p)
{
  GArray *ports = g_array_new (FALSE, TRUE, sizeof (TetherListening));
  guint i = 0;

  g_array_sort (p->sockets, compare_sockets);
  while (i < p->sockets->len) {
    Socket *first = &g_array_index (p->sockets, Socket, i);
    TetherListening listening = { first->port, NULL, NULL, TRUE };
    g_autoptr(GPtrArray) addresses = g_ptr_array_new ();
    const char *process = NULL;

    for (; i < p->sockets->len; i++) {
      Socket *socket = &g_array_index (p->sockets, Socket, i);
      gboolean seen = FALSE;

      if (socket->port != first->port)
        break;
      for (guint a = 0; a < addresses->len; a++)
        seen = seen || strcmp (g_ptr_array_index (addresses, a), socket->address) == 0;
      if (!seen && addresses->len < TETHER_REMOTE_PORTS_MAX_ADDRESSES)
        g_ptr_array_add (addresses, socket->address);
      listening.loopback_only = listening.loopback_only && socket->loopback;
      if (process == NULL)
        process = socket_process (p, socket);
    }
    g_ptr_array_add (addresses, NULL);
    listening.address = g_strjoinv (", ", (char **) addresses->pdata);
    listening.process = g_strdup (process);
    g_array_append_val (ports, listening);
  }
  return ports;
}

static void
clear_listening (gpointer data)
{
  TetherListening *listening = data;

  g_free (listening->address);
  g_free (listening->process);
}

static void
clear_socket (gpointer data)
{
  g_free (((Socket *) data)->process);
}

/* What the output of TETHER_REMOTE_PORTS_SCRIPT says listens on the server. */
TetherRemotePortsScan *
_tether_remote_ports_parse (const char *data,
                            gsize       len)
{
  TetherRemotePortsScan *scan = g_new0 (TetherRemotePortsScan, 1);
  Section section = SECTION_NONE;
  Parse p = { 0 };
  gsize pos = 0;

  g_return_val_if_fail (data != NULL || len == 0, scan);

  p.sockets = g_array_new (FALSE, TRUE, sizeof (Socket));
  g_array_set_clear_func (p.sockets, clear_socket);
  p.inode_pids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  p.pid_names = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  p.source = TETHER_REMOTE_PORTS_SOURCE_UNKNOWN;

  while (pos < len) {
    const char *line = data + pos;
    const char *newline = memchr (line, '\n', len - pos);
    gsize line_len = newline != NULL ? (gsize) (newline - line) : len - pos;

    pos += line_len + (newline != NULL);
    if (line_len > 0 && line[line_len - 1] == '\r')
      line_len--;
    if (parse_marker (&p, line, line_len, &section))
      continue;
    switch (section) {
    case SECTION_PROC: parse_proc_line (&p, line, line_len); break;
    case SECTION_FD: parse_fd_line (&p, line, line_len); break;
    case SECTION_COMM: parse_comm_line (&p, line, line_len); break;
    case SECTION_SS: parse_ss_line (&p, line, line_len); break;
    case SECTION_NONE:
    default:
      break;
    }
  }

  scan->source = p.source;
  scan->ports = group_by_port (&p);
  g_array_set_clear_func (scan->ports, clear_listening);
  g_array_unref (p.sockets);
  g_hash_table_unref (p.inode_pids);
  g_hash_table_unref (p.pid_names);
  return scan;
}

void
_tether_remote_ports_scan_free (TetherRemotePortsScan *scan)
{
  if (scan == NULL)
    return;
  g_clear_pointer (&scan->ports, g_array_unref);
  g_free (scan);
}
