/* tether-remote-ports-private.h: the parser of what the server says listens on it.
 *
 * TetherRemotePorts runs TETHER_REMOTE_PORTS_SCRIPT on the server and hands its standard
 * output to _tether_remote_ports_parse (), a plain function over bytes that the unit tests and
 * tests/fuzz/fuzz-remote-ports.c call directly.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each section of the script's output starts with this word and the section's name. */
#define TETHER_REMOTE_PORTS_MARKER "@tether-ports"

/* One command for every login shell (sh, bash, zsh, fish, tcsh): `sh -c` and this script,
 * which has no single quote, backslash escape but \n, `$` or `!` for them to read.
 * /proc/net/tcp{,6} keeps only LISTEN lines (state 0A: no other field is ever exactly "0A");
 * the socket fds of the processes the user may see map inodes to processes; without /proc,
 * `ss` (its -p lists only the user's processes and fails nowhere). */
#define TETHER_REMOTE_PORTS_SCRIPT \
  "exec 2>/dev/null; " \
  "if [ -r /proc/net/tcp ]; then " \
    "echo " TETHER_REMOTE_PORTS_MARKER " proc; " \
    "grep -sh \" 0A \" /proc/net/tcp /proc/net/tcp6; " \
    "echo " TETHER_REMOTE_PORTS_MARKER " fd; " \
    "find /proc/[0-9]*/fd -maxdepth 1 -lname \"socket:*\" -printf \"%h %l\\n\"; " \
    "echo " TETHER_REMOTE_PORTS_MARKER " comm; " \
    "grep -sH \"\" /proc/[0-9]*/comm; " \
  "elif command -v ss >/dev/null; then " \
    "echo " TETHER_REMOTE_PORTS_MARKER " ss; " \
    "ss -ltnp || ss -ltn; " \
  "else " \
    "echo " TETHER_REMOTE_PORTS_MARKER " none; " \
  "fi"

/* More than any listing of a real server: a bound on what a hostile one makes us keep. */
#define TETHER_REMOTE_PORTS_MAX_OUTPUT (16 * 1024 * 1024)
/* Addresses kept per port (a port rarely listens on more than its IPv4 and IPv6 ones). */
#define TETHER_REMOTE_PORTS_MAX_ADDRESSES 8
/* Longer than any Linux process name (15 bytes) and than most ss shows. */
#define TETHER_REMOTE_PORTS_MAX_PROCESS 64

typedef enum {
  TETHER_REMOTE_PORTS_SOURCE_UNKNOWN,  /* no section: the script did not run */
  TETHER_REMOTE_PORTS_SOURCE_NONE,     /* neither /proc/net/tcp nor ss on the server */
  TETHER_REMOTE_PORTS_SOURCE_PROC,
  TETHER_REMOTE_PORTS_SOURCE_SS,
} TetherRemotePortsSource;

typedef struct {
  guint port;                /* 1 to 65535 */
  char *address;             /* its addresses as inet_ntop () prints them, ", "-separated */
  char *process;             /* NULL when the user may not see it */
  gboolean loopback_only;    /* every address is a loopback one */
} TetherListening;

typedef struct {
  TetherRemotePortsSource source;
  GArray *ports;             /* TetherListening, one per port, by port */
} TetherRemotePortsScan;

TetherRemotePortsScan *_tether_remote_ports_parse     (const char            *data,
                                                       gsize                  len);
void                   _tether_remote_ports_scan_free (TetherRemotePortsScan *scan);

gboolean               _tether_remote_ports_filter_names_ports (const char       *filter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TetherRemotePortsScan, _tether_remote_ports_scan_free)

G_END_DECLS
