/* test-remote-edit.c: TetherRemoteEdit against real servers (OpenSSH's internal-sftp, Dropbear
 * with OpenSSH's sftp-server). The servers run on this machine, so each test changes the
 * "server's" file and checks what was uploaded through the local file system; the local copy
 * is saved as editors save it: written in place, or written aside and renamed over. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tether.h"
#include "tether-test-host.h"
#include "tether-test-server.h"
#include "tether-test-wait.h"

/* Generous: two cores are shared by parallel tests and sanitizer builds. */
#define WAIT_TIMEOUT_MS (60 * 1000)
/* An mtime long past, so that any upload visibly changes it. */
#define OLD_MTIME 1000000000
#define OTHER_MTIME 1100000000
#define REMOTE_MODE 0640

typedef struct
{
  TetherTestServerKind kind;
  TetherTestServer *server;
  TetherConnection *connection;
  TetherSftpClient *client;
  char *dir;                  /* a folder the server's user owns, same path both sides */
  char *remote;               /* dir/notes.txt */
  TetherRemoteEdit *edit;
  guint n_conflicts;
} Fixture;

#define STORE tether_test_store_result, &slot_
#define WAIT_FOR(result, what, call) \
  do { \
    GAsyncResult *slot_ = NULL; \
    call; \
    result = tether_test_wait_result (&slot_, WAIT_TIMEOUT_MS, what); \
  } while (0)

static void
chown_to_test_user (const char *path)
{
  struct passwd *pw = getpwnam (TETHER_TEST_SERVER_USER);

  g_assert_nonnull (pw);
  g_assert_cmpint (lchown (path, pw->pw_uid, pw->pw_gid), ==, 0);
}

/* Writes the server's file as another user of the server would, with @mtime. */
static void
server_write (Fixture    *f,
              const char *contents,
              time_t      mtime)
{
  struct utimbuf times = { mtime, mtime };

  g_assert_true (g_file_set_contents (f->remote, contents, -1, NULL));
  chown_to_test_user (f->remote);
  g_assert_cmpint (g_chmod (f->remote, REMOTE_MODE), ==, 0);
  g_assert_cmpint (utime (f->remote, &times), ==, 0);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static void
assert_file (const char *path,
             const char *expected)
{
  g_autofree char *contents = read_file (path);

  g_assert_cmpstr (contents, ==, expected);
}

static struct stat
stat_of (const char *path)
{
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return st;
}

/* Saves as most editors without atomic saves do: truncate, write, close. */
static void
save_in_place (TetherRemoteEdit *edit,
               const char       *contents)
{
  const char *path = g_file_peek_path (tether_remote_edit_get_local_file (edit));
  int fd = open (path, O_WRONLY | O_TRUNC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, contents, strlen (contents)), ==, (gssize) strlen (contents));
  g_assert_cmpint (close (fd), ==, 0);
}

/* Saves as gedit, vim (backupcopy=no) and GLib do: write beside, rename over. */
static void
save_by_rename (TetherRemoteEdit *edit,
                const char       *contents)
{
  const char *path = g_file_peek_path (tether_remote_edit_get_local_file (edit));
  g_autofree char *aside = g_strconcat (path, ".tmp-save", NULL);

  g_assert_true (g_file_set_contents_full (aside, contents, -1, G_FILE_SET_CONTENTS_NONE,
                                           0644, NULL));
  g_assert_cmpint (g_rename (aside, path), ==, 0);
}

static TetherConnection *
connect_server (TetherTestServer *server)
{
  g_autoptr(TetherHost) host = tether_test_server_new_host (server);
  g_autoptr(TetherConnection) connection = tether_connection_new (host);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  WAIT_FOR (result, "the connection", tether_connection_connect_async (connection, NULL, STORE));
  tether_connection_connect_finish (connection, result, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&connection);
}

static void
on_conflict (TetherRemoteEdit *edit,
             Fixture          *f)
{
  f->n_conflicts++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  f->kind = GPOINTER_TO_INT (data);
  f->server = tether_test_server_new_or_skip (f->kind, NULL);
  if (f->server == NULL)
    return;
  f->connection = connect_server (f->server);
  WAIT_FOR (result, "the sftp client",
            tether_sftp_client_new_async (f->connection, NULL, STORE));
  f->client = tether_sftp_client_new_finish (result, &error);
  g_assert_no_error (error);
  f->dir = g_dir_make_tmp ("tether-edit-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  g_assert_cmpint (g_chmod (f->dir, 0755), ==, 0);
  chown_to_test_user (f->dir);
  f->remote = g_build_filename (f->dir, "notes.txt", NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_DIR))
      remove_tree (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->edit != NULL)
    tether_remote_edit_stop (f->edit);
  g_clear_object (&f->edit);
  if (f->client != NULL)
    tether_sftp_client_close (f->client);
  g_clear_object (&f->client);
  if (f->connection != NULL)
    tether_connection_close (f->connection);
  g_clear_object (&f->connection);
  tether_test_drain_main_context ();
  if (f->dir != NULL)
    remove_tree (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->remote, g_free);
  g_clear_pointer (&f->server, tether_test_server_free);
}

/* Starts editing f->remote; asserts the private copy is there. */
static void
start_edit (Fixture    *f,
            const char *expected)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "tether", "edit", NULL);
  g_autofree char *folder = NULL;
  const char *local;

  f->edit = tether_remote_edit_new (f->client, f->remote);
  g_signal_connect (f->edit, "conflict", G_CALLBACK (on_conflict), f);
  g_assert_cmpint (tether_remote_edit_get_state (f->edit), ==,
                   TETHER_REMOTE_EDIT_STATE_STOPPED);
  WAIT_FOR (result, "the edit's start",
            tether_remote_edit_start_async (f->edit, NULL, STORE));
  g_assert_true (tether_remote_edit_start_finish (f->edit, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tether_remote_edit_get_state (f->edit), ==,
                   TETHER_REMOTE_EDIT_STATE_WATCHING);
  g_assert_cmpuint (tether_remote_edit_get_n_uploads (f->edit), ==, 0);

  local = g_file_peek_path (tether_remote_edit_get_local_file (f->edit));
  g_assert_true (g_str_has_suffix (local, "/notes.txt"));
  folder = g_path_get_dirname (local);
  g_assert_true (g_str_has_prefix (folder, cache));
  /* Others on this machine cannot read the copy. */
  g_assert_cmpint (stat_of (folder).st_mode & 0777, ==, 0700);
  assert_file (local, expected);
}

typedef struct
{
  TetherRemoteEdit *edit;
  guint n_uploads;
  TetherRemoteEditState state;
} Want;

static gboolean
has_uploads (gpointer data)
{
  Want *want = data;

  return tether_remote_edit_get_n_uploads (want->edit) >= want->n_uploads &&
         tether_remote_edit_get_state (want->edit) == TETHER_REMOTE_EDIT_STATE_WATCHING;
}

static gboolean
is_in_state (gpointer data)
{
  Want *want = data;

  return tether_remote_edit_get_state (want->edit) == want->state;
}

static void
wait_uploads (TetherRemoteEdit *edit,
              guint             n_uploads)
{
  Want want = { edit, n_uploads, 0 };

  tether_test_wait_until (has_uploads, &want, WAIT_TIMEOUT_MS, "the upload");
  g_assert_cmpuint (tether_remote_edit_get_n_uploads (edit), ==, n_uploads);
  g_assert_null (tether_remote_edit_get_error (edit));
}

/* Stops at an upload too, which must not have happened. */
static gboolean
is_in_conflict_or_uploaded (gpointer data)
{
  Want *want = data;

  return tether_remote_edit_get_state (want->edit) == TETHER_REMOTE_EDIT_STATE_CONFLICT ||
         tether_remote_edit_get_n_uploads (want->edit) > 0;
}

static void
wait_conflict (TetherRemoteEdit *edit)
{
  Want want = { edit, 0, 0 };

  tether_test_wait_until (is_in_conflict_or_uploaded, &want, WAIT_TIMEOUT_MS, "the conflict");
  g_assert_cmpuint (tether_remote_edit_get_n_uploads (edit), ==, 0);
  g_assert_cmpint (tether_remote_edit_get_state (edit), ==, TETHER_REMOTE_EDIT_STATE_CONFLICT);
}

static void
wait_state (TetherRemoteEdit      *edit,
            TetherRemoteEditState  state)
{
  Want want = { edit, 0, state };

  tether_test_wait_until (is_in_state, &want, WAIT_TIMEOUT_MS, "the edit's state");
}

/* ------------------------------------------------------------------------- */

/* Each save in place arrives on the server: contents and mtime, the file's mode kept, no
 * temporary file left. */
static void
test_save (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *part = NULL;

  if (f->server == NULL)
    return;

  server_write (f, "first line\n", OLD_MTIME);
  start_edit (f, "first line\n");

  save_in_place (f->edit, "first line\nsecond line\n");
  wait_uploads (f->edit, 1);
  assert_file (f->remote, "first line\nsecond line\n");
  g_assert_cmpint (stat_of (f->remote).st_mtime, >, OLD_MTIME);
  g_assert_cmpint (stat_of (f->remote).st_mode & 07777, ==, REMOTE_MODE);
  part = g_strconcat (f->remote, ".part", NULL);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));

  /* A second save is a second upload. */
  save_in_place (f->edit, "rewritten\n");
  wait_uploads (f->edit, 2);
  assert_file (f->remote, "rewritten\n");
  g_assert_cmpuint (f->n_conflicts, ==, 0);
}

/* Sets the mtime (and atime) of @path itself, a link or not, to @seconds ago. */
static void
age (const char *path,
     gint64      seconds)
{
  struct timespec times[2];

  times[0].tv_sec = times[1].tv_sec = g_get_real_time () / G_USEC_PER_SEC - seconds;
  times[0].tv_nsec = times[1].tv_nsec = 0;
  g_assert_cmpint (utimensat (AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), ==, 0);
}

/* Makes the folder @name in @base with a file and a folder with a file in it, all
 * @seconds old but the file @fresh_name (when not NULL), which is new. */
static char *
plant_copy (const char *base,
            const char *name,
            gint64      seconds,
            const char *fresh_name)
{
  char *folder = g_build_filename (base, name, NULL);
  g_autofree char *file = g_build_filename (folder, "notes.txt", NULL);
  g_autofree char *sub = g_build_filename (folder, "sub", NULL);
  g_autofree char *inner = g_build_filename (sub, "inner.txt", NULL);

  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "unsaved?\n", -1, NULL));
  g_assert_true (g_file_set_contents (inner, "inner\n", -1, NULL));
  age (inner, seconds);
  age (file, seconds);
  age (sub, seconds);
  age (folder, seconds);
  if (fresh_name != NULL) {
    g_autofree char *fresh = g_build_filename (sub, fresh_name, NULL);

    /* Its folder aged again: one new file alone keeps the copy. */
    g_assert_true (g_file_set_contents (fresh, "just saved\n", -1, NULL));
    age (sub, seconds);
  }
  return folder;
}

static gboolean
is_gone (gpointer data)
{
  return !g_file_test (data, G_FILE_TEST_EXISTS);
}

/* The copies a crashed or killed process left behind go with the first edit of the next
 * one, once all in them is more than a week old; a newer one, an old one with anything
 * new in it, or an old one that a running process still edits (it holds the folder's
 * lock), stays. (The first edit of this program: the removal runs once a process.) */
static void
test_remove_stale_copies (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *base = g_build_filename (g_get_user_cache_dir (), "tether", "edit", NULL);
  g_autofree char *stale = NULL;
  g_autofree char *fresh = NULL;
  g_autofree char *touched = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *held = NULL;
  int held_lock;

  if (f->server == NULL)
    return;

  stale = plant_copy (base, "stale-A1b2C3", 8 * 24 * 60 * 60, NULL);
  /* Old, but another Tether still edits it: it holds the lock as an edit does. */
  held = plant_copy (base, "held-A1b2C3", 8 * 24 * 60 * 60, NULL);
  held_lock = open (held, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (held_lock, >=, 0);
  g_assert_cmpint (flock (held_lock, LOCK_SH | LOCK_NB), ==, 0);
  fresh = plant_copy (base, "fresh-A1b2C3", 60 * 60, NULL);
  touched = plant_copy (base, "touched-A1b2C3", 8 * 24 * 60 * 60, "saved.txt");
  saved = g_build_filename (touched, "sub", "saved.txt", NULL);

  server_write (f, "first line\n", OLD_MTIME);
  start_edit (f, "first line\n");
  tether_test_wait_until (is_gone, stale, WAIT_TIMEOUT_MS, "the stale copy's removal");

  g_assert_true (g_file_test (fresh, G_FILE_TEST_IS_DIR));
  {
    g_autofree char *notes = g_build_filename (fresh, "notes.txt", NULL);

    assert_file (notes, "unsaved?\n");
  }
  g_assert_true (g_file_test (touched, G_FILE_TEST_IS_DIR));
  assert_file (saved, "just saved\n");
  {
    g_autofree char *notes = g_build_filename (touched, "notes.txt", NULL);

    assert_file (notes, "unsaved?\n");
  }
  {
    g_autofree char *notes = g_build_filename (held, "notes.txt", NULL);

    assert_file (notes, "unsaved?\n");
  }
  /* The edit's own copy, new, is there. */
  g_assert_true (g_file_query_exists (tether_remote_edit_get_local_file (f->edit), NULL));

  close (held_lock);
  remove_tree (fresh);
  remove_tree (touched);
  remove_tree (held);
}

/* An editor's save that writes another file and renames it over the copy is a save; the
 * new file's mode does not become the server's file's. */
static void
test_rename_over (Fixture       *f,
                  gconstpointer  data)
{
  if (f->server == NULL)
    return;

  server_write (f, "original\n", OLD_MTIME);
  start_edit (f, "original\n");

  save_by_rename (f->edit, "renamed over\n");
  wait_uploads (f->edit, 1);
  assert_file (f->remote, "renamed over\n");
  g_assert_cmpint (stat_of (f->remote).st_mode & 07777, ==, REMOTE_MODE);

  save_by_rename (f->edit, "and again\n");
  wait_uploads (f->edit, 2);
  assert_file (f->remote, "and again\n");
}

static gboolean
has_two_conflicts (gpointer data)
{
  Fixture *f = data;

  return f->n_conflicts >= 2 || tether_remote_edit_get_n_uploads (f->edit) > 0;
}

/* Changed on the server meanwhile: a conflict, the server's file untouched; Keep Mine then
 * uploads the local copy. */
static void
test_conflict_keep_mine (Fixture       *f,
                         gconstpointer  data)
{
  if (f->server == NULL)
    return;

  server_write (f, "original\n", OLD_MTIME);
  start_edit (f, "original\n");
  server_write (f, "changed by someone else\n", OTHER_MTIME);

  save_in_place (f->edit, "mine\n");
  wait_conflict (f->edit);
  g_assert_cmpuint (f->n_conflicts, ==, 1);
  g_assert_cmpuint (tether_remote_edit_get_n_uploads (f->edit), ==, 0);
  assert_file (f->remote, "changed by someone else\n");
  g_assert_cmpint (stat_of (f->remote).st_mtime, ==, OTHER_MTIME);

  /* Saved again before deciding: asked again, still nothing uploaded. */
  save_in_place (f->edit, "mine, saved again\n");
  tether_test_wait_until (has_two_conflicts, f, WAIT_TIMEOUT_MS, "the second conflict");
  g_assert_cmpint (tether_remote_edit_get_state (f->edit), ==,
                   TETHER_REMOTE_EDIT_STATE_CONFLICT);
  g_assert_cmpuint (tether_remote_edit_get_n_uploads (f->edit), ==, 0);
  assert_file (f->remote, "changed by someone else\n");

  tether_remote_edit_resolve (f->edit, TETHER_REMOTE_EDIT_KEEP_MINE);
  wait_uploads (f->edit, 1);
  assert_file (f->remote, "mine, saved again\n");
  g_assert_cmpuint (f->n_conflicts, ==, 2);
}

/* Changed on the server meanwhile, to the same size (only the mtime tells): Keep Theirs puts
 * the server's version in the local copy and uploads nothing; later saves upload again. */
static void
test_conflict_keep_theirs (Fixture       *f,
                           gconstpointer  data)
{
  const char *local;

  if (f->server == NULL)
    return;

  server_write (f, "original\n", OLD_MTIME);
  start_edit (f, "original\n");
  local = g_file_peek_path (tether_remote_edit_get_local_file (f->edit));
  server_write (f, "ORIGINAL\n", OTHER_MTIME);

  save_by_rename (f->edit, "my edit\n");
  wait_conflict (f->edit);
  g_assert_cmpuint (f->n_conflicts, ==, 1);
  assert_file (f->remote, "ORIGINAL\n");

  tether_remote_edit_resolve (f->edit, TETHER_REMOTE_EDIT_KEEP_THEIRS);
  wait_state (f->edit, TETHER_REMOTE_EDIT_STATE_WATCHING);
  assert_file (local, "ORIGINAL\n");
  assert_file (f->remote, "ORIGINAL\n");
  g_assert_cmpint (stat_of (f->remote).st_mtime, ==, OTHER_MTIME);
  g_assert_cmpuint (tether_remote_edit_get_n_uploads (f->edit), ==, 0);

  /* The server's version is now the one edited: no conflict. */
  save_in_place (f->edit, "ORIGINAL\nplus mine\n");
  wait_uploads (f->edit, 1);
  assert_file (f->remote, "ORIGINAL\nplus mine\n");
  g_assert_cmpuint (f->n_conflicts, ==, 1);
}

/* Stopping removes the copy and its folder. */
static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *local = NULL;
  g_autofree char *folder = NULL;

  if (f->server == NULL)
    return;

  server_write (f, "original\n", OLD_MTIME);
  start_edit (f, "original\n");
  local = g_file_get_path (tether_remote_edit_get_local_file (f->edit));
  folder = g_path_get_dirname (local);

  tether_remote_edit_stop (f->edit);
  g_assert_cmpint (tether_remote_edit_get_state (f->edit), ==,
                   TETHER_REMOTE_EDIT_STATE_STOPPED);
  g_assert_false (g_file_test (local, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  assert_file (f->remote, "original\n");
}

/* What cannot be edited fails with the server's reason, and leaves no private folder. */
static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  static const struct {
    const char *name;
    gint code;
  } cases[] = {
    { "missing.txt", G_IO_ERROR_NOT_FOUND },
    { "folder", G_IO_ERROR_IS_DIRECTORY },
  };
  g_autofree char *folder = NULL;

  if (f->server == NULL)
    return;

  folder = g_build_filename (f->dir, "folder", NULL);
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  chown_to_test_user (folder);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *path = g_build_filename (f->dir, cases[i].name, NULL);
    g_autoptr(TetherRemoteEdit) edit = tether_remote_edit_new (f->client, path);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *private_dir = NULL;

    WAIT_FOR (result, "the edit's start", tether_remote_edit_start_async (edit, NULL, STORE));
    g_assert_false (tether_remote_edit_start_finish (edit, result, &error));
    g_assert_error (error, G_IO_ERROR, cases[i].code);
    g_assert_nonnull (strstr (error->message, cases[i].name));
    g_assert_cmpint (tether_remote_edit_get_state (edit), ==, TETHER_REMOTE_EDIT_STATE_FAILED);
    g_assert_error (tether_remote_edit_get_error (edit), G_IO_ERROR, cases[i].code);
    private_dir = g_path_get_dirname (g_file_peek_path (tether_remote_edit_get_local_file (
                                                          edit)));
    g_assert_false (g_file_test (private_dir, G_FILE_TEST_EXISTS));
  }
}

static void
add_test (const char           *name,
          TetherTestServerKind  kind,
          void (*func) (Fixture *, gconstpointer))
{
  static const char *kinds[] = { "openssh", "dropbear", "asyncssh", "conch" };
  g_autofree char *path = g_strdup_printf ("/tether/remote-edit/%s/%s", kinds[kind], name);

  g_test_add (path, Fixture, GINT_TO_POINTER (kind), fixture_setup, func, fixture_teardown);
}

int
main (int   argc,
      char *argv[])
{
  static const TetherTestServerKind kinds[] = {
    TETHER_TEST_SERVER_OPENSSH, TETHER_TEST_SERVER_DROPBEAR,
  };

  g_test_init (&argc, &argv, NULL);
  /* First: it needs the first edit of the process. */
  add_test ("remove-stale-copies", TETHER_TEST_SERVER_OPENSSH, test_remove_stale_copies);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++) {
    add_test ("save", kinds[i], test_save);
    add_test ("rename-over", kinds[i], test_rename_over);
    add_test ("conflict-keep-mine", kinds[i], test_conflict_keep_mine);
    add_test ("conflict-keep-theirs", kinds[i], test_conflict_keep_theirs);
  }
  add_test ("stop", TETHER_TEST_SERVER_OPENSSH, test_stop);
  add_test ("errors", TETHER_TEST_SERVER_OPENSSH, test_errors);
  return g_test_run ();
}
