/* test-host-store.c: TetherHostStore reads, follows and writes the hosts files: a round
 * trip, crashes mid-write, malformed and unreadable files, following ~/.ssh/config, read-only
 * hosts, lookups. (Full and read-only disks, serialised saves and the keyword table are in
 * test-host-store-disk.c.)
 *
 * HOME and XDG_CONFIG_HOME point to a temporary directory, emptied before
 * each test, so the store's default paths are temporary. The atomic-write tests run this
 * program again as a writer that they kill.
 */
#define _GNU_SOURCE  /* unshare () for test-tmpfs.h */
#include "config.h"

#include "test-host-store-common.h"

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
  tether_host_set_auto_forward_ports (db, TRUE);
  tether_host_set_auto_forward_ports_filter (db, "3000-3999,8080,!22");
  tether_host_set_label (db, "Database “primary”");
  tether_host_set_group (db, "Work");
  tether_host_set_colour (db, "#3584e4");
  tether_host_set_palette (db, "solarized-dark");
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
  g_assert_nonnull (strstr (strstr (text, "Host db\n"), "#@tether auto-forward-ports=yes\n"));
  g_assert_nonnull (strstr (strstr (text, "Host db\n"),
                            "#@tether auto-forward-ports-filter=3000-3999,8080,!22\n"));
  g_assert_nonnull (strstr (strstr (text, "Host db\n"), "#@tether palette=solarized-dark\n"));
  g_clear_pointer (&text, g_free);

  /* Edit a copy, as the editor does */
  edited = tether_host_copy (web);
  tether_host_set_user (edited, "bob");
  tether_host_set_port (edited, 0);
  tether_host_set_colour (edited, "red");
  tether_host_set_keep_shells (edited, TRUE);
  tether_host_set_palette (edited, "tango-light");
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
  g_assert_cmpstr (tether_host_get_palette (copy), ==, "tango-light");
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

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = NULL;
  int status;

  if (argc >= 4 && strcmp (argv[1], CRASH_WRITER_ARG) == 0)
    return run_crash_writer (argv[2], argv[3], argc == 5);

  home = test_host_store_init (&argc, &argv);
  g_test_add_func ("/tether/host-store/round-trip", test_round_trip);
  g_test_add_func ("/tether/host-store/atomic-write", test_atomic_write);
  g_test_add_func ("/tether/host-store/killed-mid-write", test_killed_mid_write);
  g_test_add_func ("/tether/host-store/malformed", test_malformed);
  g_test_add_func ("/tether/host-store/unreadable", test_unreadable);
  g_test_add_func ("/tether/host-store/monitor", test_monitor);
  g_test_add_func ("/tether/host-store/read-only", test_read_only);
  g_test_add_func ("/tether/host-store/lookup", test_lookup);
  g_test_add_func ("/tether/host-store/load-file", test_load_file);

  status = g_test_run ();
  remove_tree (home);
  return status;
}
