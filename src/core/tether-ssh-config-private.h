/* tether-ssh-config-private.h: what libtether, its tests and fuzzers reach of the ssh_config
 * parser beyond its public API. */
#pragma once

#include "tether-ssh-config.h"

G_BEGIN_DECLS

/* The largest ssh_config file read (also through Include): real ones are kilobytes and a
 * 25,000-host file is about 5 MB, while without a cap `Include /dev/zero`-like files or a
 * runaway generator would take all memory. */
#define TETHER_SSH_CONFIG_MAX_FILE_SIZE (16 * 1024 * 1024)

/* How a configuration reaches the files that it loads and that its Include lines name; the
 * default is the file system. Fuzzers serve files from memory through it.
 * glob: the paths (files and folders) that PATTERN, an absolute path with glob(3)
 *   wildcards, matches, sorted; empty for none; NULL with @error set on failure.
 * read: the contents of a regular file of at most TETHER_SSH_CONFIG_MAX_FILE_SIZE bytes;
 *   G_IO_ERROR_IS_DIRECTORY for a folder (which Include skips, as ssh does).
 * real_path: the canonical name of PATH, to find Include loops. */
typedef struct {
  char   **(*glob)      (const char  *pattern,
                         gpointer     user_data,
                         GError     **error);
  gboolean (*read)      (const char  *path,
                         char       **contents,
                         gsize       *length,
                         gpointer     user_data,
                         GError     **error);
  char    *(*real_path) (const char  *path,
                         gpointer     user_data);
} TetherSshConfigReader;

/* Lets tests wait less than TETHER_SSH_CONFIG_EXEC_TIMEOUT_MS; 0 restores it. */
void _tether_ssh_config_set_exec_timeout (guint timeout_ms);

/* Runs a `Match exec` command: TRUE when it exits with status 0. Problems
 * (a timeout, a command that cannot start) go to WARNINGS as char *. */
typedef gboolean (*TetherSshConfigExecFunc) (const char *command,
                                             gpointer    data,
                                             GPtrArray  *warnings);

TetherHost *_tether_ssh_config_resolve_with_exec (TetherSshConfig         *self,
                                                  const char              *alias,
                                                  TetherSshConfigExecFunc  exec,
                                                  gpointer                 exec_data,
                                                  GPtrArray               *warnings,
                                                  GError                 **error);

void _tether_ssh_config_set_reader (TetherSshConfig             *self,
                                    const TetherSshConfigReader *reader,
                                    gpointer                     user_data);

G_END_DECLS
