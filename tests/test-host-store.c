/* test-host-store.c: TetherHostStore reads, follows and writes the hosts files.
 *
 * HOME and XDG_CONFIG_HOME point to a temporary directory, emptied before
 * each test, so the store's default paths are temporary. (Not
 * G_TEST_OPTION_ISOLATE_DIRS: its per-test g_set_user_dirs () leaks by
 * design, which LeakSanitizer reports.) The atomic-write tests run this
 * program again as a writer that they kill.
 */
#define _GNU_SOURCE  /* unshare () for test-tmpfs.h */
#include "config.h"

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

/* ---- The store's changes, waited for ------------------------------------- */

#define DEFINE_CHANGE(verb, what)                                                \
  static gboolean                                                                \
  store_##verb (TetherHostStore *store,                                          \
                TetherHost      *host,                                           \
                GError         **error)                                          \
  {                                                                              \
    g_autoptr(GAsyncResult) result = NULL;                                       \
                                                                                 \
    tether_host_store_##verb##_async (store, host, NULL, tether_test_store_result, \
                                      &result);                                  \
    tether_test_wait_until (tether_test_pointer_is_set, &result, WAIT_TIMEOUT_MS, \
                            what);                                               \
    return tether_host_store_##verb##_finish (store, result, error);             \
  }
DEFINE_CHANGE (add, "the host to be added")
DEFINE_CHANGE (update, "the host to be saved")
DEFINE_CHANGE (remove, "the host to be removed")
DEFINE_CHANGE (restore, "the host to be restored")
#undef DEFINE_CHANGE

static TetherHost *
store_duplicate (TetherHostStore *store,
                 TetherHost      *host,
                 GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tether_host_store_duplicate_async (store, host, NULL, tether_test_store_result, &result);
  tether_test_wait_until (tether_test_pointer_is_set, &result, WAIT_TIMEOUT_MS,
                          "the host to be duplicated");
  return tether_host_store_duplicate_finish (store, result, error);
}

/* Like tether_test_wait_until (), but the deadline starts again whenever *PROGRESS
 * changes: a slow machine is not a stuck one. */
static void
wait_with_progress (TetherTestCondition  condition,
                    gpointer             data,
                    const guint         *progress,
                    guint                step_timeout_seconds,
                    const char          *what)
{
  gboolean timed_out = FALSE;
  guint seen = *progress;
  guint timeout_id = g_timeout_add_seconds (step_timeout_seconds, tether_test_set_flag,
                                            &timed_out);

  while (!condition (data) && !timed_out)
    {
      g_main_context_iteration (NULL, TRUE);
      if (*progress != seen && !timed_out)
        {
          seen = *progress;
          g_source_remove (timeout_id);
          timeout_id = g_timeout_add_seconds (step_timeout_seconds, tether_test_set_flag,
                                              &timed_out);
        }
    }
  if (timed_out)
    g_error ("Timed out waiting for %s: no progress in %u s", what, step_timeout_seconds);
  g_source_remove (timeout_id);
}

static void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* Each test starts without any ssh_config or hosts file. */
static void
fresh_home (void)
{
  g_autoptr(GDir) dir = g_dir_open (g_get_home_dir (), 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (g_get_home_dir (), name, NULL);

      remove_tree (path);
    }
}

static char *
ssh_config_path (void)
{
  return g_build_filename (g_get_home_dir (), ".ssh", "config", NULL);
}

static char *
hosts_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "tether", "hosts.conf", NULL);
}

static void
write_file (const char *path,
            const char *contents)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static gboolean
store_loaded (gpointer data)
{
  return tether_host_store_get_loaded (data);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tether_host_store_load_default_finish (TETHER_HOST_STORE (source), result,
                                                        &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static TetherHostStore *
load_store (void)
{
  TetherHostStore *store = tether_host_store_new ();
  gboolean done = FALSE;

  tether_host_store_load_default_async (store, NULL, on_loaded, &done);
  tether_test_wait_until (tether_test_flag_is_set, &done, WAIT_TIMEOUT_MS, "the store to load");
  g_assert_true (store_loaded (store));
  return store;
}

static TetherHost *
find_host (TetherHostStore *store,
           const char      *alias)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TetherHost) host = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (g_strcmp0 (tether_host_get_alias (host), alias) == 0)
        return host;  /* the store keeps its reference */
    }
  return NULL;
}

/* Every property equal, except those named in SKIP. */
static void
assert_hosts_equal (TetherHost         *a,
                    TetherHost         *b,
                    const char * const *skip)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (a), &n);
  for (guint i = 0; i < n; i++)
    {
      g_auto(GValue) va = G_VALUE_INIT;
      g_auto(GValue) vb = G_VALUE_INIT;
      g_autofree char *sa = NULL;
      g_autofree char *sb = NULL;

      if (skip != NULL && g_strv_contains (skip, pspecs[i]->name))
        continue;
      g_value_init (&va, pspecs[i]->value_type);
      g_value_init (&vb, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (a), pspecs[i]->name, &va);
      g_object_get_property (G_OBJECT (b), pspecs[i]->name, &vb);
      if (pspecs[i]->value_type == G_TYPE_STRV)
        {
          char **x = g_value_get_boxed (&va);
          char **y = g_value_get_boxed (&vb);

          sa = x ? g_strjoinv ("|", x) : g_strdup ("");
          sb = y ? g_strjoinv ("|", y) : g_strdup ("");
        }
      else
        {
          sa = g_strdup_value_contents (&va);
          sb = g_strdup_value_contents (&vb);
        }
      if (g_strcmp0 (sa, sb) != 0)
        g_error ("%s: property %s differs: %s != %s", tether_host_get_alias (a),
                 pspecs[i]->name, sa, sb);
    }
}

/* A fresh store reading the same files: what is on disk, parsed back. */
static TetherHost *
reread_host (const char *alias)
{
  g_autoptr(TetherHostStore) store = load_store ();
  TetherHost *host = find_host (store, alias);

  return host ? g_object_ref (host) : NULL;
}

/* @host as a fresh store reads it back under @alias. */
static void
assert_saved (TetherHost *host,
              const char *alias)
{
  g_autoptr(TetherHost) reread = reread_host (alias);

  assert_hosts_equal (host, reread, NULL);
}

/* What the save test's file said beyond Tether's hosts is still there. */
static void
assert_foreign_lines_kept (const char *text)
{
  g_assert_true (g_str_has_prefix (text, "# my saved hosts\n\n# the web server\nHost web\n"));
  g_assert_nonnull (strstr (text, "Compression yes"));
  g_assert_nonnull (strstr (text, "SetEnv FOO=bar"));
  g_assert_nonnull (strstr (text, "#@tether note=keep me"));
}

typedef struct {
  guint calls;
  guint position;
  guint removed;
  guint added;
} ItemsChanged;

static void
on_items_changed (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ItemsChanged *record)
{
  record->calls++;
  record->position = position;
  record->removed = removed;
  record->added = added;
}

static const char hosts_with_extras[] =
  "# my saved hosts\n"
  "\n"
  "# the web server\n"
  "Host web\n"
  "  #@tether id=11111111-2222-3333-4444-555555555555\n"
  "  #@tether label=Web\n"
  "  #@tether group=Work\n"
  "  #@tether note=keep me\n"
  "  HostName web.example.org\n"
  "  User alice\n"
  "  Port 2222\n"
  "  Compression yes\n"
  "  SetEnv FOO=bar\n"
  "  LocalForward 8080 localhost:80\n"
  "\n"
  "Host *.example\n"
  "  ServerAliveInterval 15\n"
  "\n"
  "Match user root\n"
  "  ForwardAgent no\n";

static void
test_round_trip (void)
{
  g_autofree char *path = hosts_path ();
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(TetherHost) db = NULL;
  g_autoptr(TetherHost) edited = NULL;
  g_autoptr(TetherHost) copy = NULL;
  g_autoptr(TetherHost) reread = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char * const files[] = { "~/.ssh/id_ed25519", "/keys/with space/id", NULL };
  const char * const locals[] = { "5432 localhost:5432", NULL };
  const char * const dynamics[] = { "1080", NULL };
  const char * const skip_source[] = { "source", NULL };
  ItemsChanged changes = { 0, };
  gulong changed_id;
  TetherHost *web;

  fresh_home ();
  write_file (path, hosts_with_extras);
  store = load_store ();
  changed_id = g_signal_connect (store, "items-changed", G_CALLBACK (on_items_changed),
                                 &changes);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  web = find_host (store, "web");
  g_assert_nonnull (web);
  g_assert_cmpstr (tether_host_get_id (web), ==, "11111111-2222-3333-4444-555555555555");
  g_assert_cmpstr (tether_host_get_label (web), ==, "Web");
  g_assert_cmpstr (tether_host_get_group (web), ==, "Work");
  g_assert_cmpstr (tether_host_get_hostname (web), ==, "web.example.org");
  g_assert_cmpuint (tether_host_get_port (web), ==, 2222);
  g_assert_cmpstr (tether_host_get_local_forwards (web)[0], ==, "8080 localhost:80");
  g_assert_cmpint (tether_host_get_source (web), ==, TETHER_HOST_SOURCE_TETHER);
  g_assert_null (tether_host_store_get_load_error (store));

  /* Add */
  db = tether_host_new ("db");
  tether_host_set_hostname (db, "10.0.0.5");
  tether_host_set_user (db, "postgres");
  tether_host_set_port (db, 2200);
  tether_host_set_identity_files (db, files);
  tether_host_set_identities_only (db, TRUE);
  tether_host_set_proxy_jump (db, "bastion.example.org:22");
  tether_host_set_forward_agent (db, TRUE);
  tether_host_set_server_alive_interval (db, 30);
  tether_host_set_connect_timeout (db, 10);
  tether_host_set_local_forwards (db, locals);
  tether_host_set_dynamic_forwards (db, dynamics);
  tether_host_set_auto_start_forwards (db, TRUE);
  tether_host_set_keep_shells (db, TRUE);
  tether_host_set_label (db, "Database “primary”");
  tether_host_set_group (db, "Work");
  tether_host_set_colour (db, "#3584e4");
  g_assert_true (store_add (store, db, &error));
  g_assert_no_error (error);
  g_assert_nonnull (tether_host_get_id (db));
  g_assert_cmpint (tether_host_get_source (db), ==, TETHER_HOST_SOURCE_TETHER);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_assert_cmpuint (changes.calls, ==, 1);
  g_assert_cmpuint (changes.position, ==, 1);
  g_assert_cmpuint (changes.removed, ==, 0);
  g_assert_cmpuint (changes.added, ==, 1);
  g_assert_true (find_host (store, "db") == db);
  g_assert_true (find_host (store, "web") == web);

  assert_saved (db, "db");

  text = read_file (path);
  assert_foreign_lines_kept (text);
  g_assert_nonnull (strstr (text, "Host *.example\n  ServerAliveInterval 15\n"));
  g_assert_nonnull (strstr (text, "Match user root\n  ForwardAgent no\n"));
  g_assert_nonnull (strstr (text, "IdentityFile \"/keys/with space/id\""));
  g_assert_nonnull (strstr (strstr (text, "Host db\n"), "#@tether keep-shells=yes\n"));
  g_clear_pointer (&text, g_free);

  /* Edit a copy, as the editor does */
  edited = tether_host_copy (web);
  tether_host_set_user (edited, "bob");
  tether_host_set_port (edited, 0);
  tether_host_set_colour (edited, "red");
  tether_host_set_keep_shells (edited, TRUE);
  g_assert_true (store_update (store, edited, &error));
  g_assert_no_error (error);
  g_assert_true (find_host (store, "web") == edited);
  g_assert_cmpuint (changes.position, ==, 0);
  g_assert_cmpuint (changes.removed, ==, 1);
  g_assert_cmpuint (changes.added, ==, 1);
  assert_saved (edited, "web");
  text = read_file (path);
  assert_foreign_lines_kept (text);
  g_assert_null (strstr (text, "Port 2222"));
  g_clear_pointer (&text, g_free);

  /* Duplicate: a fresh id, a free alias, the unknown keywords too */
  copy = store_duplicate (store, edited, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);
  g_assert_cmpstr (tether_host_get_alias (copy), ==, "web-copy");
  g_assert_cmpstr (tether_host_get_label (copy), ==, "Web (copy)");
  g_assert_cmpstr (tether_host_get_user (copy), ==, "bob");
  g_assert_true (tether_host_get_keep_shells (copy));
  g_assert_cmpstr (tether_host_get_id (copy), !=, tether_host_get_id (edited));
  g_assert_true (find_host (store, "web-copy") == copy);
  g_assert_cmpuint (changes.position, ==, 1);
  assert_saved (copy, "web-copy");
  text = read_file (path);
  g_assert_nonnull (strstr (strstr (text, "Host web-copy"), "SetEnv FOO=bar"));
  g_clear_pointer (&text, g_free);

  /* Delete, then undo */
  g_assert_true (store_remove (store, db, &error));
  g_assert_no_error (error);
  g_assert_null (find_host (store, "db"));
  reread = reread_host ("db");
  g_assert_null (reread);
  text = read_file (path);
  g_assert_null (strstr (text, "Host db"));
  g_clear_pointer (&text, g_free);

  g_assert_true (store_restore (store, db, &error));
  g_assert_no_error (error);
  g_assert_true (find_host (store, "db") == db);
  assert_saved (db, "db");

  /* A taken alias is refused; the file stays as it is. */
  {
    g_autoptr(TetherHost) twin = tether_host_new ("web");
    g_autofree char *before = read_file (path);
    g_autofree char *after = NULL;

    g_assert_false (store_add (store, twin, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
    g_clear_error (&error);
    after = read_file (path);
    g_assert_cmpstr (before, ==, after);
  }

  /* The source is the only difference between a saved host and a reread one */
  reread = reread_host ("web");
  assert_hosts_equal (find_host (store, "web"), reread, skip_source);
  /* A reload still running keeps the store alive past this function. */
  g_clear_signal_handler (&changed_id, store);
}

/* ---- Crash simulation ---------------------------------------------------- */

static void
on_writer_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  *(gboolean *) user_data = tether_host_store_load_default_finish (TETHER_HOST_STORE (source),
                                                                  result, NULL);
}

/* The child: saves the first host again and again, each time telling the
 * parent the checksum of what it wrote, until it is killed. */
static int
run_crash_writer (const char *ssh_path,
                  const char *path,
                  gboolean    limit_size)
{
  g_autoptr(TetherHostStore) store = tether_host_store_new_for_paths (ssh_path, path);
  gboolean loaded = FALSE;

  tether_host_store_load_default_async (store, NULL, on_writer_loaded, &loaded);
  while (!tether_host_store_get_loaded (store))
    g_main_context_iteration (NULL, TRUE);
  g_print ("%s\n", CRASH_WRITER_LOADED);
  fflush (stdout);
  if (limit_size)
    {
      struct rlimit limit = { CRASH_FILE_SIZE_LIMIT, CRASH_FILE_SIZE_LIMIT };

      if (setrlimit (RLIMIT_FSIZE, &limit) != 0)
        return 1;
    }

  for (guint i = 0;; i++)
    {
      g_autoptr(TetherHost) host = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      g_autofree char *sum = NULL;

      host = tether_host_copy (find_host (store, "h0"));
      tether_host_set_label (host, i % 2 ? "odd" : "even");
      if (!store_update (store, host, &error))
        {
          g_printerr ("writer: %s\n", error->message);
          return 1;
        }
      g_file_get_contents (path, &text, NULL, NULL);
      sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
      g_print ("%s\n", sum);
      fflush (stdout);
      /* Keep the monitor's reloads from piling up. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  return 0;
}

typedef struct {
  GDataInputStream *lines;
  GHashTable *sums;
  guint progress;               /* lines read, "loaded" included */
  guint n_lines;
  gboolean eof;
  gboolean exited;
} Writer;

static void read_next_line (Writer *writer);

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Writer *writer = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish (writer->lines, result,
                                                                NULL, NULL);

  if (line == NULL)
    {
      writer->eof = TRUE;
      return;
    }
  writer->progress++;
  if (strcmp (line, CRASH_WRITER_LOADED) != 0)
    {
      g_hash_table_add (writer->sums, g_steal_pointer (&line));
      writer->n_lines++;
    }
  read_next_line (writer);
}

static void
read_next_line (Writer *writer)
{
  g_data_input_stream_read_line_async (writer->lines, G_PRIORITY_DEFAULT, NULL, on_line, writer);
}

static guint crash_wanted_lines;

static gboolean
writer_wrote_enough (gpointer data)
{
  Writer *writer = data;

  if (writer->eof)
    g_error ("The writer stopped on its own");
  return writer->n_lines >= crash_wanted_lines;
}

static void
on_writer_exit (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  ((Writer *) user_data)->exited = TRUE;
}

static gboolean
writer_exited (gpointer data)
{
  Writer *writer = data;

  return writer->exited && writer->eof;
}

static GString *
make_big_hosts_file (const char *path)
{
  GString *initial = g_string_new (NULL);

  for (guint i = 0; i < CRASH_N_HOSTS; i++)
    g_string_append_printf (initial,
                            "Host h%u\n"
                            "  #@tether id=00000000-0000-0000-0000-%012u\n"
                            "  #@tether label=Host number %u\n"
                            "  HostName host-%u.example.org\n"
                            "  User user%u\n"
                            "  Compression yes\n\n", i, i, i, i, i);
  write_file (path, initial->str);
  return initial;
}

static guint
count_temporary_files (const char *path)
{
  g_autofree char *dir_path = g_path_get_dirname (path);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n_temporary = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    if (strcmp (name, "hosts.conf") != 0)
      n_temporary++;
  return n_temporary;
}

/* The writer is killed at random points of a loop of saves. */
static void
test_atomic_write (void)
{
  g_autofree char *path = hosts_path ();
  g_autofree char *ssh_path = ssh_config_path ();
  g_autoptr(GString) initial = NULL;
  g_autoptr(GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);

  fresh_home ();
  initial = make_big_hosts_file (path);
  g_hash_table_add (sums, g_compute_checksum_for_string (G_CHECKSUM_SHA256, initial->str, -1));

  for (guint round = 0; round < CRASH_ROUNDS; round++)
    {
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();
      g_auto(GStrv) aliases = NULL;
      g_autofree char *text = NULL;
      g_autofree char *sum = NULL;
      Writer writer = { NULL, sums, 0, 0, FALSE, FALSE };

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self_exe,
                                CRASH_WRITER_ARG, ssh_path, path, NULL);
      g_assert_no_error (error);
      writer.lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
      read_next_line (&writer);
      /* At least two writes, so both alternating versions are known; then
       * a varying number more, so that the kill lands at varying points. */
      crash_wanted_lines = 2 + g_test_rand_int_range (1, 6);
      wait_with_progress (writer_wrote_enough, &writer, &writer.progress,
                          CRASH_STEP_TIMEOUT_SECONDS, "the writer to write");
      g_subprocess_force_exit (child);
      g_subprocess_wait_async (child, NULL, on_writer_exit, &writer);
      tether_test_wait_until (writer_exited, &writer, WAIT_TIMEOUT_MS, "the writer to die");
      g_clear_object (&writer.lines);
      g_assert_true (g_subprocess_get_if_signaled (child));

      /* The file is one of the complete versions, never a mix or a part. */
      text = read_file (path);
      sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
      g_test_message ("round %u: killed after %u writes", round, writer.n_lines);
      g_assert_true (g_hash_table_contains (sums, sum));
      tether_ssh_config_parse_data (config, text, -1, "hosts.conf", &error);
      g_assert_no_error (error);
      aliases = tether_ssh_config_get_hosts (config);
      g_assert_cmpuint (g_strv_length (aliases), ==, CRASH_N_HOSTS);
    }

  g_test_message ("%u of %u kills left a temporary file behind",
                  count_temporary_files (path), CRASH_ROUNDS);
}

/* The writer is killed for sure in the middle of writing the new file. */
static void
test_killed_mid_write (void)
{
  g_autofree char *path = hosts_path ();
  g_autofree char *ssh_path = ssh_config_path ();
  g_autoptr(GString) initial = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  fresh_home ();
  initial = make_big_hosts_file (path);
  g_assert_cmpuint (initial->len, >, 2 * CRASH_FILE_SIZE_LIMIT);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, self_exe,
                            CRASH_WRITER_ARG, ssh_path, path, "limit-size", NULL);
  g_assert_no_error (error);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGXFSZ);

  /* Half a new file was written, to the side; the old one is whole. */
  g_assert_cmpuint (count_temporary_files (path), ==, 1);
  text = read_file (path);
  g_assert_cmpstr (text, ==, initial->str);
}

/* ---- A malformed file ---------------------------------------------------- */

static gboolean
no_load_error (gpointer data)
{
  return tether_host_store_get_load_error (data) == NULL;
}

static void
test_malformed (void)
{
  g_autofree char *path = hosts_path ();
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherHost) edited = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  const char *broken = "Host good\n"
                       "  HostName good.example.org\n"
                       "  Port twenty-two\n"
                       "\n"
                       "Host other\n"
                       "  User bob\n";
  const GError *load_error;

  fresh_home ();
  write_file (path, broken);
  store = load_store ();
  load_error = tether_host_store_get_load_error (store);
  g_assert_nonnull (load_error);
  g_assert_error (load_error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_assert_nonnull (strstr (load_error->message, "hosts.conf:3: "));
  /* The good hosts are still listed. */
  g_assert_nonnull (find_host (store, "other"));

  host = tether_host_new ("new");
  g_assert_false (store_add (store, host, &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "hosts.conf:3: "));
  g_clear_error (&error);

  edited = tether_host_copy (find_host (store, "other"));
  tether_host_set_user (edited, "carol");
  g_assert_false (store_update (store, edited, &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_clear_error (&error);
  g_assert_false (store_remove (store, find_host (store, "other"), &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_clear_error (&error);

  after = read_file (path);
  g_assert_cmpstr (after, ==, broken);

  /* Once the user fixes it, the store reads it again and writes work. */
  write_file (path, "Host good\n  Port 22\n");
  tether_test_wait_until (no_load_error, store, WAIT_TIMEOUT_MS, "the fixed file to be read");
  g_assert_true (store_add (store, host, &error));
  g_assert_no_error (error);
  g_clear_pointer (&after, g_free);
  after = read_file (path);
  g_assert_true (g_str_has_prefix (after, "Host good\n  Port 22\n"));
  g_assert_nonnull (strstr (after, "Host new\n"));
}

/* A hosts file that is a directory cannot be read, so it is not written. */
static void
test_unreadable (void)
{
  g_autofree char *path = hosts_path ();
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(TetherHost) host = tether_host_new ("new");
  g_autoptr(GError) error = NULL;

  fresh_home ();
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  store = load_store ();
  g_assert_nonnull (tether_host_store_get_load_error (store));
  g_assert_false (store_add (store, host, &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
}

/* ---- Following ~/.ssh/config --------------------------------------------- */

typedef struct {
  TetherHostStore *store;
  const char *alias;
  const char *hostname;
} HostWait;

static gboolean
host_has_hostname (gpointer data)
{
  HostWait *wait = data;
  TetherHost *host = find_host (wait->store, wait->alias);

  if (wait->hostname == NULL)
    return host == NULL;
  return host != NULL && g_strcmp0 (tether_host_get_hostname (host), wait->hostname) == 0;
}

static void
test_monitor (void)
{
  g_autofree char *ssh_path = ssh_config_path ();
  g_autofree char *path = hosts_path ();
  g_autofree char *ssh_dir = g_path_get_dirname (ssh_path);
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(TetherHost) mine = tether_host_new ("mine");
  g_autoptr(GError) error = NULL;
  ItemsChanged changes = { 0, };
  HostWait wait = { NULL, "newbox", "10.0.0.1" };
  gulong changed_id;
  TetherHost *newbox;

  fresh_home ();
  g_assert_cmpint (g_mkdir_with_parents (ssh_dir, 0700), ==, 0);
  store = load_store ();
  wait.store = store;
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_true (store_add (store, mine, &error));
  g_assert_no_error (error);
  changed_id = g_signal_connect (store, "items-changed", G_CALLBACK (on_items_changed),
                                 &changes);

  write_file (ssh_path, "Host newbox\n  HostName 10.0.0.1\n  User admin\n");
  tether_test_wait_until (host_has_hostname, &wait, WAIT_TIMEOUT_MS, "newbox to appear");
  newbox = find_host (store, "newbox");
  g_assert_cmpint (tether_host_get_source (newbox), ==, TETHER_HOST_SOURCE_SSH_CONFIG);
  g_assert_cmpstr (tether_host_get_user (newbox), ==, "admin");
  /* Tether's hosts come first and keep their objects. */
  g_assert_cmpuint (changes.position, ==, 1);
  g_assert_true (find_host (store, "mine") == mine);

  wait.hostname = "10.0.0.2";
  write_file (ssh_path, "Host newbox\n  HostName 10.0.0.2\n  User admin\n");
  tether_test_wait_until (host_has_hostname, &wait, WAIT_TIMEOUT_MS, "newbox to change");
  g_assert_true (find_host (store, "mine") == mine);

  /* Included files are followed too. */
  {
    g_autofree char *included = g_build_filename (ssh_dir, "more.conf", NULL);
    HostWait more = { store, "more", "more.example.org" };

    write_file (included, "Host more\n  HostName more.example.org\n");
    write_file (ssh_path, "Include more.conf\nHost newbox\n  HostName 10.0.0.2\n");
    tether_test_wait_until (host_has_hostname, &more, WAIT_TIMEOUT_MS,
                            "the included host to appear");
    more.hostname = "more2.example.org";
    write_file (included, "Host more\n  HostName more2.example.org\n");
    tether_test_wait_until (host_has_hostname, &more, WAIT_TIMEOUT_MS,
                            "the included file's change");
  }

  wait.hostname = NULL;
  g_assert_cmpint (g_unlink (ssh_path), ==, 0);
  tether_test_wait_until (host_has_hostname, &wait, WAIT_TIMEOUT_MS, "newbox to go");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  /* A reload still running keeps the store alive past this function. */
  g_clear_signal_handler (&changed_id, store);
}

/* ---- Read-only hosts ------------------------------------------------------ */

static void
test_read_only (void)
{
  g_autofree char *ssh_path = ssh_config_path ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(TetherHost) edited = NULL;
  g_autoptr(TetherHost) copy = NULL;
  g_autoptr(GError) error = NULL;
  TetherHost *host;

  fresh_home ();
  write_file (ssh_path, "Host theirs\n  HostName theirs.example.org\n  Port 2022\n");
  before = read_file (ssh_path);
  store = load_store ();
  host = find_host (store, "theirs");
  g_assert_nonnull (host);
  g_assert_cmpint (tether_host_get_source (host), ==, TETHER_HOST_SOURCE_SSH_CONFIG);
  g_assert_nonnull (tether_host_get_id (host));

  edited = tether_host_copy (host);
  tether_host_set_port (edited, 22);
  g_assert_false (store_update (store, edited, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, "~/.ssh/config"));
  g_clear_error (&error);
  g_assert_false (store_remove (store, host, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  g_clear_error (&error);
  copy = store_duplicate (store, host, &error);
  g_assert_null (copy);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  g_clear_error (&error);

  after = read_file (ssh_path);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (tether_host_get_port (find_host (store, "theirs")), ==, 2022);
}

/* ---- Lookup and the Include line ----------------------------------------- */

static void
on_include_added (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tether_host_store_add_include_finish (TETHER_HOST_STORE (source), result,
                                                       &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
assert_lookups_resolve (TetherHostStore    *store,
                        TetherSshConfig    *config,
                        const char * const *names)
{
  const char * const skip[] = { "id", "source", NULL };

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(TetherHost) looked_up = tether_host_store_lookup (store, names[i]);
      g_autoptr(TetherHost) resolved = tether_ssh_config_resolve (config, names[i], NULL);
      g_auto(GStrv) forwards = tether_ssh_config_resolve_values (config, names[i],
                                                                 "LocalForward", NULL);

      g_assert_nonnull (looked_up);
      g_assert_nonnull (resolved);
      tether_host_set_local_forwards (resolved, (const char * const *) forwards);
      tether_host_set_colour (resolved, tether_host_get_colour (looked_up));
      tether_host_set_auto_start_forwards (resolved,
                                           tether_host_get_auto_start_forwards (looked_up));
      tether_host_set_keep_shells (resolved, tether_host_get_keep_shells (looked_up));
      assert_hosts_equal (looked_up, resolved, skip);
    }
}

static void
test_lookup (void)
{
  g_autofree char *ssh_path = ssh_config_path ();
  g_autofree char *path = hosts_path ();
  g_autofree char *ssh_after = NULL;
  g_autofree char *line = NULL;
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();
  g_autoptr(GFile) hosts_file = NULL;
  g_autoptr(GFile) ssh_file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) saved = NULL;
  const char *ssh_text = "Host theirs\n  HostName theirs.example.org\n"
                         "Host *.internal\n  ProxyJump gate\n  User ops\n"
                         "Host *\n  ServerAliveInterval 60\n  IdentityFile ~/.ssh/id_test\n";
  const char * const names[] = { "web", "theirs", "db.internal", "unknown.example", NULL };
  gboolean added = FALSE;

  fresh_home ();
  write_file (path, "Host web\n  #@tether id=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\n"
                    "  HostName %h.example.org\n  User www\n  LocalForward 8080 localhost:80\n");
  write_file (ssh_path, ssh_text);
  store = load_store ();

  /* What ssh would read once the Include line is at the top of ~/.ssh/config. */
  hosts_file = g_file_new_for_path (path);
  ssh_file = g_file_new_for_path (ssh_path);
  g_assert_true (tether_ssh_config_load_file (config, hosts_file, &error));
  g_assert_true (tether_ssh_config_load_file (config, ssh_file, &error));
  g_assert_no_error (error);
  assert_lookups_resolve (store, config, names);

  saved = tether_host_store_lookup (store, "web");
  g_assert_cmpstr (tether_host_get_hostname (saved), ==, "web.example.org");
  g_assert_cmpuint (tether_host_get_server_alive_interval (saved), ==, 60);
  g_assert_cmpstr (tether_host_get_id (saved), ==, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
  g_assert_cmpint (tether_host_get_source (saved), ==, TETHER_HOST_SOURCE_TETHER);

  /* A host added now is found at once, with the ssh_config defaults. */
  {
    g_autoptr(TetherHost) fresh = tether_host_new ("fresh");
    g_autoptr(TetherHost) found = NULL;

    tether_host_set_hostname (fresh, "fresh.example.org");
    g_assert_true (store_add (store, fresh, &error));
    g_assert_no_error (error);
    found = tether_host_store_lookup (store, "fresh");
    /* The save left a parsed configuration: the lookup read no file. */
    g_assert_cmpuint (_tether_host_store_get_n_lookup_reads (store), ==, 0);
    g_assert_cmpstr (tether_host_get_hostname (found), ==, "fresh.example.org");
    g_assert_cmpuint (tether_host_get_server_alive_interval (found), ==, 60);
    g_assert_cmpstr (tether_host_get_id (found), ==, tether_host_get_id (fresh));
  }

  /* The Include line: offered, added once at the top, then not offered. */
  g_assert_true (tether_host_store_offer_include_line (store));
  line = tether_host_store_dup_include_line (store);
  g_assert_true (g_str_has_prefix (line, "Include "));
  g_assert_true (g_str_has_suffix (line, "tether/hosts.conf"));
  tether_host_store_add_include_async (store, NULL, on_include_added, &added);
  tether_test_wait_until (tether_test_flag_is_set, &added, WAIT_TIMEOUT_MS,
                          "the Include line to be added");
  g_assert_false (tether_host_store_offer_include_line (store));
  ssh_after = read_file (ssh_path);
  g_assert_true (g_str_has_prefix (ssh_after, line));
  g_assert_cmpint (ssh_after[strlen (line)], ==, '\n');
  g_assert_cmpstr (ssh_after + strlen (line) + 1, ==, ssh_text);
  {
    g_autoptr(TetherHost) found = tether_host_store_lookup (store, "fresh");

    g_assert_cmpstr (tether_host_get_hostname (found), ==, "fresh.example.org");
    g_assert_cmpuint (_tether_host_store_get_n_lookup_reads (store), ==, 0);
  }

  /* Lookups are the same with the line, and Tether's hosts are not listed twice. */
  {
    g_autoptr(TetherSshConfig) included = tether_ssh_config_new ();
    g_autoptr(TetherHostStore) again = load_store ();

    g_assert_true (tether_ssh_config_load_file (included, ssh_file, &error));
    g_assert_no_error (error);
    assert_lookups_resolve (again, included, names);
    g_assert_false (tether_host_store_offer_include_line (again));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 3);
    g_assert_cmpint (tether_host_get_source (find_host (again, "web")), ==,
                     TETHER_HOST_SOURCE_TETHER);
  }
}

/* load_file () adds one file's hosts, read-only, without the default files. */
static void
test_load_file (void)
{
  g_autofree char *file_path = g_build_filename (g_get_home_dir (), "fixture.conf", NULL);
  g_autofree char *ssh_path = ssh_config_path ();
  g_autoptr(TetherHostStore) store = tether_host_store_new ();
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) host = NULL;

  fresh_home ();
  write_file (ssh_path, "Host personal\n  HostName personal.example.org\n");
  write_file (file_path, "Host a b\n  Port 2201\nHost *\n  User everyone\n");
  file = g_file_new_for_path (file_path);
  g_assert_true (tether_host_store_load_file (store, file, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_assert_null (find_host (store, "personal"));
  host = tether_host_store_lookup (store, "b");
  g_assert_cmpuint (tether_host_get_port (host), ==, 2201);
  g_assert_cmpstr (tether_host_get_user (host), ==, "everyone");
  g_assert_cmpint (tether_host_get_source (find_host (store, "a")), ==,
                   TETHER_HOST_SOURCE_SSH_CONFIG);

  write_file (file_path, "Host a\n  Port seventy\n");
  g_assert_false (tether_host_store_load_file (store, file, &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "fixture.conf:2: "));
}

/* ---- A full disk, a read-only disk, a symlinked config -------------------- */

static gboolean
store_add_include (TetherHostStore  *store,
                   GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tether_host_store_add_include_async (store, NULL, tether_test_store_result, &result);
  tether_test_wait_until (tether_test_pointer_is_set, &result, WAIT_TIMEOUT_MS,
                          "the Include line to be added");
  return tether_host_store_add_include_finish (store, result, error);
}

static TetherHostStore *
load_store_for_paths (const char *ssh_path,
                      const char *path)
{
  TetherHostStore *store = tether_host_store_new_for_paths (ssh_path, path);
  gboolean done = FALSE;

  tether_host_store_load_default_async (store, NULL, on_loaded, &done);
  tether_test_wait_until (tether_test_flag_is_set, &done, WAIT_TIMEOUT_MS, "the store to load");
  return store;
}

typedef struct {
  TestTmpfs fs;
  char *ssh_path;
  char *path;
  char *ssh_text;
  char *hosts_text;
  GStatBuf ssh_stat;
  GStatBuf hosts_stat;
} DiskFixture;

/* A user and group that are not root's: the owner a failed save must keep. */
#define OTHER_UID 65534
#define OTHER_GID 65534
/* A mode no default gives, to see that it is kept. */
#define ODD_MODE 0640

static void
disk_fixture_set_up (DiskFixture   *fixture,
                     gconstpointer  data)
{
  if (!test_tmpfs_mount (&fixture->fs))
    return;
  fixture->ssh_path = g_build_filename (fixture->fs.dir, "ssh", "config", NULL);
  fixture->path = g_build_filename (fixture->fs.dir, "tether", "hosts.conf", NULL);
  fixture->ssh_text = g_strdup ("Host theirs\n  HostName theirs.example.org\n");
  fixture->hosts_text = g_strdup ("Host kept\n  #@tether id=11111111-2222-3333-4444-555555555555\n"
                                  "  HostName kept.example.org\n");
  write_file (fixture->ssh_path, fixture->ssh_text);
  write_file (fixture->path, fixture->hosts_text);
  g_assert_cmpint (g_chmod (fixture->path, ODD_MODE), ==, 0);
  g_assert_cmpint (chown (fixture->path, OTHER_UID, OTHER_GID), ==, 0);
  g_assert_cmpint (g_chmod (fixture->ssh_path, ODD_MODE), ==, 0);
  g_assert_cmpint (chown (fixture->ssh_path, OTHER_UID, OTHER_GID), ==, 0);
  g_assert_cmpint (g_stat (fixture->ssh_path, &fixture->ssh_stat), ==, 0);
  g_assert_cmpint (g_stat (fixture->path, &fixture->hosts_stat), ==, 0);
}

static void
disk_fixture_tear_down (DiskFixture   *fixture,
                        gconstpointer  data)
{
  test_tmpfs_unmount (&fixture->fs);
  g_free (fixture->ssh_path);
  g_free (fixture->path);
  g_free (fixture->ssh_text);
  g_free (fixture->hosts_text);
}

/* The file holds what it held, with the same inode, mode and owner. */
static void
assert_untouched (const char     *path,
                  const char     *text,
                  const GStatBuf *before)
{
  g_autofree char *now = read_file (path);
  GStatBuf st;

  g_assert_cmpstr (now, ==, text);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_ino, ==, before->st_ino);
  g_assert_cmpint (st.st_mode, ==, before->st_mode);
  g_assert_cmpint (st.st_uid, ==, before->st_uid);
  g_assert_cmpint (st.st_gid, ==, before->st_gid);
}

static void
assert_no_temporary_files (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *names = test_tmpfs_list (dir);

  g_assert_cmpstr (names, ==, base);
}

static void
test_disk_full (DiskFixture   *fixture,
                gconstpointer  data)
{
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(TetherHost) host = tether_host_new ("new");
  g_autoptr(TetherHost) edited = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  if (fixture->fs.dir == NULL)
    return;
  store = load_store_for_paths (fixture->ssh_path, fixture->path);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  test_tmpfs_fill (&fixture->fs);

  /* Saving a host: an error that says so, the file as it was, the host not shown. */
  tether_host_set_hostname (host, "new.example.org");
  g_assert_false (store_add (store, host, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, "hosts.conf"));
  g_assert_nonnull (strstr (error->message, "full"));
  g_clear_error (&error);
  assert_untouched (fixture->path, fixture->hosts_text, &fixture->hosts_stat);
  assert_no_temporary_files (fixture->path);
  g_assert_null (find_host (store, "new"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);

  edited = tether_host_copy (find_host (store, "kept"));
  tether_host_set_port (edited, 2222);
  g_assert_false (store_update (store, edited, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_assert_cmpuint (tether_host_get_port (find_host (store, "kept")), !=, 2222);

  /* "Use Saved Hosts with ssh": plain ssh keeps its whole config. */
  g_assert_false (store_add_include (store, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, "config"));
  g_clear_error (&error);
  assert_untouched (fixture->ssh_path, fixture->ssh_text, &fixture->ssh_stat);
  assert_no_temporary_files (fixture->ssh_path);
  g_assert_true (tether_host_store_offer_include_line (store));

  /* With room again, the same edits work: nothing is "changed by another program". */
  test_tmpfs_unfill (&fixture->fs);
  g_assert_true (store_update (store, edited, &error));
  g_assert_no_error (error);
  g_assert_true (store_add (store, host, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tether_host_get_port (find_host (store, "kept")), ==, 2222);
  g_assert_nonnull (find_host (store, "new"));
  after = read_file (fixture->path);
  g_assert_nonnull (strstr (after, "Host new\n"));
  g_assert_true (store_add_include (store, &error));
  g_assert_no_error (error);
}

static void
test_read_only_disk (DiskFixture   *fixture,
                     gconstpointer  data)
{
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(TetherHost) host = tether_host_new ("new");
  g_autoptr(GError) error = NULL;

  if (fixture->fs.dir == NULL)
    return;
  store = load_store_for_paths (fixture->ssh_path, fixture->path);
  test_tmpfs_make_read_only (&fixture->fs);

  g_assert_false (store_add (store, host, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, "hosts.conf"));
  g_clear_error (&error);
  assert_untouched (fixture->path, fixture->hosts_text, &fixture->hosts_stat);
  g_assert_null (find_host (store, "new"));

  g_assert_false (store_remove (store, find_host (store, "kept"), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_nonnull (find_host (store, "kept"));

  g_assert_false (store_add_include (store, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  assert_untouched (fixture->ssh_path, fixture->ssh_text, &fixture->ssh_stat);
}

/* ~/.ssh/config linked into a dotfiles repository stays a link. */
static void
test_include_through_symlink (void)
{
  g_autofree char *ssh_path = ssh_config_path ();
  g_autofree char *repo = g_build_filename (g_get_home_dir (), "dotfiles", NULL);
  g_autofree char *target = g_build_filename (repo, "ssh_config", NULL);
  g_autofree char *line = NULL;
  g_autofree char *after = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = "Host theirs\n  HostName theirs.example.org\n";
  GStatBuf st;

  fresh_home ();
  write_file (target, text);
  write_file (ssh_path, "");
  g_assert_cmpint (g_unlink (ssh_path), ==, 0);
  g_assert_cmpint (symlink ("../dotfiles/ssh_config", ssh_path), ==, 0);
  store = load_store ();
  g_assert_nonnull (find_host (store, "theirs"));

  g_assert_true (store_add_include (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_lstat (ssh_path, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  line = tether_host_store_dup_include_line (store);
  expected = g_strconcat (line, "\n", text, NULL);
  after = read_file (target);
  g_assert_cmpstr (after, ==, expected);
}

/* Changes asked for at once are made one after the other, each from what
 * the one before left; the model changes only on this thread. */
static void
test_serialised (void)
{
  g_autofree char *path = hosts_path ();
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TetherHost) twin = tether_host_new ("h0");
  g_autoptr(GAsyncResult) twin_result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GAsyncResult *slots[SERIAL_N_HOSTS] = { NULL, };
  const char *previous = NULL;

  fresh_home ();
  store = load_store ();
  for (guint i = 0; i < SERIAL_N_HOSTS; i++)
    {
      g_autofree char *alias = g_strdup_printf ("h%u", i);
      g_autoptr(TetherHost) host = tether_host_new (alias);

      tether_host_store_add_async (store, host, NULL, tether_test_store_result, &slots[i]);
      if (i == 0)
        tether_host_store_add_async (store, twin, NULL, tether_test_store_result, &twin_result);
    }
  /* Nothing is shown before it is written. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  tether_test_wait_until (tether_test_pointer_is_set, &slots[SERIAL_N_HOSTS - 1], WAIT_TIMEOUT_MS,
                          "the last host to be added");
  for (guint i = 0; i < SERIAL_N_HOSTS; i++)
    {
      g_assert_nonnull (slots[i]);
      g_assert_true (tether_host_store_add_finish (store, slots[i], &error));
      g_assert_no_error (error);
      g_ptr_array_add (results, slots[i]);
    }
  /* The second "h0" was checked after the first was saved. */
  g_assert_nonnull (twin_result);
  g_assert_false (tether_host_store_add_finish (store, twin_result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, SERIAL_N_HOSTS);
  text = read_file (path);
  for (guint i = 0; i < SERIAL_N_HOSTS; i++)
    {
      g_autoptr(TetherHost) item = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *alias = g_strdup_printf ("h%u", i);
      g_autofree char *block = g_strdup_printf ("Host %s\n", alias);
      const char *at = strstr (text, block);

      g_assert_cmpstr (tether_host_get_alias (item), ==, alias);
      g_assert_nonnull (at);
      g_assert_true (previous == NULL || at > previous);
      previous = at;
    }
}

/* ---- The keyword table --------------------------------------------------- */

/* Sets on HOST a value that is not the default for the property of a table row. */
static void
set_sample_value (TetherHost        *host,
                  const KeywordInfo *info)
{
  const char * const files[] = { "/keys/a", "/keys/with space/b", NULL };
  const char * const methods[] = { "publickey", "password", NULL };
  const char * const local[] = { "8080 localhost:80", "[::1]:8443 web:443", NULL };
  const char * const remote[] = { "9000 localhost:3000", NULL };
  const char * const dynamic[] = { "1080", NULL };

  switch (info->kind) {
  case VALUE_FLAG:
  case VALUE_AGENT:
    g_object_set (host, info->property, TRUE, NULL);
    break;
  case VALUE_PORT:
  case VALUE_TIME:
    g_object_set (host, info->property, 2222, NULL);
    break;
  case VALUE_LIST:
    g_object_set (host, info->property, methods, NULL);
    break;
  case VALUE_LINE:
    g_object_set (host, info->property, "nc -X 5 %h %p", NULL);
    break;
  case VALUE_JUMPS:
    g_object_set (host, info->property, "alice@jump.example:2200,jump2", NULL);
    break;
  case VALUE_FORWARD:
    g_object_set (host, info->property,
                  info->kw == KW_LOCAL_FORWARD ? local :
                  info->kw == KW_REMOTE_FORWARD ? remote : dynamic, NULL);
    break;
  case VALUE_WORD:
  case VALUE_FILES:
  case VALUE_NONE:
  case VALUE_CANONICAL:
  default:
    if (info->flags & KW_FLAG_REPEATS)
      g_object_set (host, info->property, files, NULL);
    else
      g_object_set (host, info->property, "value.example", NULL);
    break;
  }
}

/* Every row of the keyword table that names a property goes into hosts.conf and comes back:
 * a keyword added to the table is written, read and resolved without other code. */
static void
test_keyword_table_round_trip (void)
{
  g_autoptr(TetherHost) host = tether_host_new ("table");
  g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) resolved = NULL;
  g_autofree char *block = NULL;
  TetherHost *reread = NULL;
  guint modelled = 0;

  tether_host_set_id (host, "5b9f5a52-7c1e-4d55-9d0b-6c2f3a0b1e10");
  tether_host_set_source (host, TETHER_HOST_SOURCE_TETHER);
  for (guint k = 0; k < N_KEYWORDS; k++) {
    if (tether_ssh_keywords[k].property != NULL) {
      set_sample_value (host, &tether_ssh_keywords[k]);
      modelled++;
    }
  }
  for (guint m = 0; m < tether_ssh_n_meta_keys; m++) {
    const MetaInfo *meta = &tether_ssh_meta_keys[m];

    if (meta->flags & META_FLAG_BOOLEAN)
      g_object_set (host, meta->property, TRUE, NULL);
    else if (strcmp (meta->key, "id") != 0)
      g_object_set (host, meta->property, "Sample", NULL);
  }
  g_assert_cmpuint (modelled, >=, 16);

  block = _tether_hosts_new_block (host);
  g_test_message ("%s", block);
  for (guint k = 0; k < N_KEYWORDS; k++) {
    if (tether_ssh_keywords[k].property != NULL)
      g_assert_nonnull (strstr (block, tether_ssh_keywords[k].spelling));
  }
  g_assert_true (tether_ssh_config_parse_data (config, block, -1, "table.conf", &error));
  g_assert_no_error (error);
  chunks = _tether_hosts_chunks_new (block, config);
  for (guint i = 0; i < chunks->len && reread == NULL; i++)
    reread = ((TetherHostsChunk *) g_ptr_array_index (chunks, i))->host;
  g_assert_nonnull (reread);
  assert_hosts_equal (host, reread, NULL);

  /* The resolver reads the same rows (but expands files and spells forwards as ssh -G). */
  resolved = tether_ssh_config_resolve (config, "table", &error);
  g_assert_no_error (error);
  g_assert_true (tether_host_get_identities_only (resolved));
  g_assert_true (tether_host_get_forward_agent (resolved));
  g_assert_cmpuint (tether_host_get_server_alive_interval (resolved), ==, 2222);
  g_assert_cmpstr (tether_host_get_proxy_jump (resolved), ==, "alice@jump.example:2200,jump2");
  g_assert_cmpstr (tether_host_get_preferred_authentications (resolved)[1], ==, "password");
  g_assert_cmpstr (tether_host_get_dynamic_forwards (resolved)[0], ==, "1080");
  g_assert_cmpstr (tether_host_get_label (resolved), ==, "Sample");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = NULL;
  g_autofree char *config_home = NULL;
  int status;

  if (argc >= 4 && strcmp (argv[1], CRASH_WRITER_ARG) == 0)
    return run_crash_writer (argv[2], argv[3], argc == 5);

  test_tmpfs_init ();
  home = g_dir_make_tmp ("test-host-store-XXXXXX", &error);
  g_assert_no_error (error);
  config_home = g_build_filename (home, ".config", NULL);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpstr (g_get_home_dir (), ==, home);
  g_assert_cmpstr (g_get_user_config_dir (), ==, config_home);

  g_test_add_func ("/tether/host-store/round-trip", test_round_trip);
  g_test_add_func ("/tether/host-store/atomic-write", test_atomic_write);
  g_test_add_func ("/tether/host-store/killed-mid-write", test_killed_mid_write);
  g_test_add_func ("/tether/host-store/malformed", test_malformed);
  g_test_add_func ("/tether/host-store/unreadable", test_unreadable);
  g_test_add_func ("/tether/host-store/monitor", test_monitor);
  g_test_add_func ("/tether/host-store/read-only", test_read_only);
  g_test_add_func ("/tether/host-store/lookup", test_lookup);
  g_test_add_func ("/tether/host-store/load-file", test_load_file);
  g_test_add_func ("/tether/host-store/include-through-symlink", test_include_through_symlink);
  g_test_add_func ("/tether/host-store/serialised", test_serialised);
  g_test_add_func ("/tether/host-store/keyword-table", test_keyword_table_round_trip);
  g_test_add ("/tether/host-store/disk-full", DiskFixture, NULL, disk_fixture_set_up,
              test_disk_full, disk_fixture_tear_down);
  g_test_add ("/tether/host-store/read-only-disk", DiskFixture, NULL, disk_fixture_set_up,
              test_read_only_disk, disk_fixture_tear_down);

  status = g_test_run ();
  remove_tree (home);
  return status;
}
