/* test-host-store-common.h: what the host store test programs share: the store's changes
 * waited for, files under the test's own home, hosts compared. */
#pragma once

#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "tether.h"
#include "tether-test-wait.h"
#include "tether-host-store-private.h"
#include "test-tmpfs.h"

/* Generous: the machine is shared and inotify events may queue. */
#define WAIT_TIMEOUT_MS (60 * 1000)
/* Hosts in the file the crash test writes: big enough that a save takes a
 * while, small enough that six rounds finish under ASan on a busy machine. */
#define CRASH_N_HOSTS 2000
#define CRASH_ROUNDS 6
#define CRASH_WRITER_ARG "--crash-writer"
/* The writer may write this much of a file: the kernel kills it (SIGXFSZ)
 * on the first byte beyond, in the middle of writing the new hosts file. */
#define CRASH_FILE_SIZE_LIMIT (64 * 1024)
/* One load or one save of CRASH_N_HOSTS hosts by the writer: seconds here,
 * far more under ASan on a machine whose cores are busy. The writer fails
 * only when it makes no progress for this long. */
#define CRASH_STEP_TIMEOUT_SECONDS 240
/* What the writer prints once it has read the file, before its first save. */
#define CRASH_WRITER_LOADED "loaded"
/* Hosts added at once by the serialisation test. */
#define SERIAL_N_HOSTS 12


typedef struct {
  guint calls;
  guint position;
  guint removed;
  guint added;
} ItemsChanged;

gboolean
store_add (TetherHostStore *store,
           TetherHost      *host,
           GError         **error);

gboolean
store_update (TetherHostStore *store,
              TetherHost      *host,
              GError         **error);

gboolean
store_remove (TetherHostStore *store,
              TetherHost      *host,
              GError         **error);

gboolean
store_restore (TetherHostStore *store,
               TetherHost      *host,
               GError         **error);

TetherHost *
store_duplicate (TetherHostStore *store,
                 TetherHost      *host,
                 GError         **error);

void
wait_with_progress (TetherTestCondition  condition,
                    gpointer             data,
                    const guint         *progress,
                    guint                step_timeout_seconds,
                    const char          *what);

void
remove_tree (const char *path);

void
fresh_home (void);

char *
ssh_config_path (void);

char *
hosts_path (void);

void
write_file (const char *path,
            const char *contents);

char *
read_file (const char *path);

gboolean
store_loaded (gpointer data);

void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data);

TetherHostStore *
load_store (void);

TetherHost *
find_host (TetherHostStore *store,
           const char      *alias);

void
assert_hosts_equal (TetherHost         *a,
                    TetherHost         *b,
                    const char * const *skip);

TetherHost *
reread_host (const char *alias);

void
assert_saved (TetherHost *host,
              const char *alias);

void
assert_foreign_lines_kept (const char *text);

void
on_items_changed (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ItemsChanged *record);

extern const char hosts_with_extras[];

char *
test_host_store_init (int    *argc,
                      char ***argv);
