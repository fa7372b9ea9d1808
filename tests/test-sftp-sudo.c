/* test-sftp-sudo.c: tether_sftp_client_new_sudo_async () against a real OpenSSH server.
 *
 * Most cases put a stand-in `sudo` (a shell script that speaks sudo -S -p's protocol: the
 * prompt on stderr, one line read from stdin, "Sorry, try again.", giving up after three) first
 * on the test server's PATH, so that our side of the protocol is tested for real without
 * giving the test user root. The stand-in then runs the command as the test user: the root
 * shell's script finds sftp-server just as it would as root. The last cases run the real
 * sudo: a refusal (the test user is not in sudoers), wrong passwords, and, as root with a
 * sudoers drop-in that lives as long as the test, NOPASSWD listing a root-only folder. */
#include "config.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tether.h"
#include "tether-test-host.h"
#include "tether-test-server.h"
#include "tether-test-wait.h"

/* Generous: two cores are shared by parallel tests; PAM delays each wrong password ~2 s. */
#define WAIT_TIMEOUT_MS (60 * 1000)
#define STAND_IN_PASSWORD "stand-in sudo password"
#define WRONG_PASSWORD "not the password"
#define SUDO_PATH "/usr/bin/sudo"
#define SUDOERS_DIR "/etc/sudoers.d"
#define VISUDO_PATH "/usr/sbin/visudo"
#define SUDO_TRIES 3

/* ------------------------------------------------------------------------- */
/* An interaction that answers from a list                                   */

#define TEST_TYPE_SUDO_INTERACTION (test_sudo_interaction_get_type ())
G_DECLARE_FINAL_TYPE (TestSudoInteraction, test_sudo_interaction, TEST, SUDO_INTERACTION,
                      TetherInteraction)

struct _TestSudoInteraction
{
  TetherInteraction parent_instance;

  const char * const *answers;  /* one per ask, the last repeated; NULL entry: cancel */
  guint n_answers;
  guint n_asked;
  GPtrArray *instructions;
};

G_DEFINE_FINAL_TYPE (TestSudoInteraction, test_sudo_interaction, TETHER_TYPE_INTERACTION)

static char **
test_sudo_interaction_ask_kbd_interactive (TetherInteraction   *interaction,
                                           const char          *name,
                                           const char          *instruction,
                                           const char * const  *prompts,
                                           guint                echo_mask,
                                           GCancellable        *cancellable,
                                           GError             **error)
{
  TestSudoInteraction *self = TEST_SUDO_INTERACTION (interaction);
  const char *answer;
  char **answers;

  g_assert_cmpuint (g_strv_length ((char **) prompts), ==, 1);
  g_assert_cmpuint (echo_mask, ==, 0);
  g_assert_nonnull (name);
  g_ptr_array_add (self->instructions, g_strdup (instruction));
  answer = self->answers[MIN (self->n_asked, self->n_answers - 1)];
  self->n_asked++;
  if (answer == NULL)
    return NULL;
  answers = g_new0 (char *, 2);
  answers[0] = g_strdup (answer);
  return answers;
}

static void
test_sudo_interaction_finalize (GObject *object)
{
  TestSudoInteraction *self = TEST_SUDO_INTERACTION (object);

  g_ptr_array_unref (self->instructions);
  G_OBJECT_CLASS (test_sudo_interaction_parent_class)->finalize (object);
}

static void
test_sudo_interaction_class_init (TestSudoInteractionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_sudo_interaction_finalize;
  TETHER_INTERACTION_CLASS (klass)->ask_kbd_interactive =
    test_sudo_interaction_ask_kbd_interactive;
}

static void
test_sudo_interaction_init (TestSudoInteraction *self)
{
  self->instructions = g_ptr_array_new_with_free_func (g_free);
}

static TestSudoInteraction *
interaction_new (const char * const *answers,
                 guint               n_answers)
{
  TestSudoInteraction *self = g_object_new (TEST_TYPE_SUDO_INTERACTION, NULL);

  self->answers = answers;
  self->n_answers = n_answers;
  return self;
}

/* ------------------------------------------------------------------------- */
/* Fixture                                                                   */

typedef enum
{
  STAND_IN_PASSWORD_MODE,     /* asks, then runs the command */
  STAND_IN_NOPASSWD,          /* runs the command at once */
  STAND_IN_DENY,              /* asks, then refuses as sudo does for a user without rules */
  STAND_IN_NO_SERVER,         /* asks, then runs the script with every path it knows moved */
  STAND_IN_NONE,              /* no sudo on PATH at all */
  STAND_IN_REAL,              /* the system's sudo, PATH untouched */
} StandIn;

typedef struct
{
  TetherTestServer *server;
  TetherConnection *connection;
  char *bin;                  /* the folder put first on the server's PATH */
  char *sudoers;              /* a sudoers drop-in of ours to remove */
  char *work;                 /* a folder the test user owns: the stand-in's log, transfers */
  char *log;                  /* the stand-in writes a line there each time it starts */
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

static const char stand_in_template[] =
  "#!/bin/sh\n"
  "# A stand-in for sudo -S -p PROMPT [--] COMMAND: the prompt on stderr, a line from stdin.\n"
  "prompt='Password: '\n"
  "while [ $# -gt 0 ]; do\n"
  "  case $1 in\n"
  "    -p) prompt=$2; shift 2 ;;\n"
  "    --) shift; break ;;\n"
  "    -*) shift ;;\n"
  "    *) break ;;\n"
  "  esac\n"
  "done\n"
  "if [ -n \"$TETHER_SUDO_LOG\" ]; then echo start >> \"$TETHER_SUDO_LOG\"; fi\n"
  "MODE\n"
  "tries=0\n"
  "while [ $tries -lt 3 ]; do\n"
  "  printf '%s' \"$prompt\" >&2\n"
  "  IFS= read -r answer || { echo 'sudo: no password was provided' >&2; exit 1; }\n"
  "  if [ \"$answer\" = 'PASSWORD' ]; then\n"
  "    SUCCESS\n"
  "  fi\n"
  "  tries=$((tries + 1))\n"
  "  if [ $tries -lt 3 ]; then echo 'Sorry, try again.' >&2; fi\n"
  "done\n"
  "echo \"sudo: $tries incorrect password attempts\" >&2\n"
  "exit 1\n";

static char *
replace (const char *text,
         const char *what,
         const char *with)
{
  g_auto(GStrv) parts = g_strsplit (text, what, -1);

  return g_strjoinv (with, parts);
}

static void
write_stand_in_with (const char *bin,
                     StandIn     mode,
                     const char *password)
{
  g_autofree char *path = g_build_filename (bin, "sudo", NULL);
  g_autofree char *a = replace (stand_in_template, "PASSWORD", password);
  g_autofree char *b = replace (a, "MODE", mode == STAND_IN_NOPASSWD ? "exec \"$@\"" : "");
  const char *success = "exec \"$@\"";
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;

  if (mode == STAND_IN_DENY)
    success = "echo \"Sorry, user $(id -un) is not allowed to execute $1 as root.\" >&2; exit 1";
  else if (mode == STAND_IN_NO_SERVER)
    /* "/bin/sh -c SCRIPT": the script as is, but sshd_config and sftp-server nowhere. */
    success = "shift 2; exec /bin/sh -c \"$(printf '%s' \"$1\" | "
              "sed -e 's|/usr/|/nonexistent/|g' -e 's|/etc/ssh/|/nonexistent/|g')\"";
  script = replace (b, "SUCCESS", success);

  g_file_set_contents (path, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

static void
write_stand_in (const char *bin,
                StandIn     mode)
{
  write_stand_in_with (bin, mode, STAND_IN_PASSWORD);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  StandIn mode = GPOINTER_TO_INT (data);
  g_autofree char *config = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (mode == STAND_IN_REAL && !g_file_test (SUDO_PATH, G_FILE_TEST_IS_EXECUTABLE)) {
    g_test_skip ("the real sudo is not installed (Debian package sudo)");
    return;
  }
  f->bin = g_dir_make_tmp ("tether-sudo-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (f->bin, 0755), ==, 0);
  f->work = g_dir_make_tmp ("tether-sudo-work-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (f->work, 0755), ==, 0);
  chown_to_test_user (f->work);
  f->log = g_build_filename (f->work, "sudo.log", NULL);
  if (mode == STAND_IN_NONE)
    /* Not even /usr/bin: env must look for sudo and find nothing. */
    config = g_strdup_printf ("SetEnv PATH=%s", f->bin);
  else if (mode != STAND_IN_REAL)
    config = g_strdup_printf ("SetEnv PATH=%s:/usr/bin:/bin TETHER_SUDO_LOG=%s", f->bin,
                              f->log);
  if (mode != STAND_IN_NONE && mode != STAND_IN_REAL)
    write_stand_in (f->bin, mode);

  f->server = tether_test_server_new_or_skip (TETHER_TEST_SERVER_OPENSSH, config);
  if (f->server == NULL)
    return;
  host = tether_test_server_new_host (f->server);
  f->connection = tether_connection_new (host);
  WAIT_FOR (result, "the connection",
            tether_connection_connect_async (f->connection, NULL, STORE));
  tether_connection_connect_finish (f->connection, result, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->connection != NULL)
    tether_connection_close (f->connection);
  g_clear_object (&f->connection);
  tether_test_drain_main_context ();
  g_clear_pointer (&f->server, tether_test_server_free);
  if (f->sudoers != NULL)
    g_unlink (f->sudoers);
  g_clear_pointer (&f->sudoers, g_free);
  if (f->bin != NULL) {
    g_autofree char *sudo = g_build_filename (f->bin, "sudo", NULL);

    g_unlink (sudo);
    g_rmdir (f->bin);
  }
  g_clear_pointer (&f->bin, g_free);
  if (f->work != NULL) {
    g_autofree char *cmd = g_strdup_printf ("rm -rf %s", f->work);

    g_assert_cmpint (system (cmd), ==, 0);
  }
  g_clear_pointer (&f->work, g_free);
  g_clear_pointer (&f->log, g_free);
}

static TetherSftpClient *
open_sudo (Fixture              *f,
           TestSudoInteraction  *interaction,
           GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT_FOR (result, "the sudo sftp client",
            tether_sftp_client_new_sudo_async (f->connection, TETHER_INTERACTION (interaction),
                                               NULL, STORE));
  return tether_sftp_client_new_sudo_finish (result, error);
}

static gboolean
list_has (TetherSftpClient *client,
          const char       *folder,
          const char       *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) entries = NULL;

  WAIT_FOR (result, "the listing", tether_sftp_client_list_async (client, folder, NULL, STORE));
  entries = tether_sftp_client_list_finish (client, result, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (entries); i++) {
    g_autoptr(GFileInfo) info = g_list_model_get_item (entries, i);

    if (g_strcmp0 (g_file_info_get_name (info), name) == 0)
      return TRUE;
  }
  return FALSE;
}

/* ------------------------------------------------------------------------- */
/* Cases                                                                     */

static void
test_password (Fixture       *f,
               gconstpointer  data)
{
  static const char * const answers[] = { STAND_IN_PASSWORD };
  g_autoptr(TestSudoInteraction) interaction = interaction_new (answers, 1);
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    return;
  client = open_sudo (f, interaction, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tether_sftp_client_get_server_version (client), ==, 3);
  g_assert_cmpuint (interaction->n_asked, ==, 1);
  /* The SFTP session works, and nothing of the password reached it. */
  g_assert_true (list_has (client, f->bin, "sudo"));
  tether_sftp_client_close (client);
}

static void
test_retry (Fixture       *f,
            gconstpointer  data)
{
  static const char * const answers[] = { WRONG_PASSWORD, STAND_IN_PASSWORD };
  g_autoptr(TestSudoInteraction) interaction = interaction_new (answers, 2);
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    return;
  client = open_sudo (f, interaction, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (interaction->n_asked, ==, 2);
  /* The second question says the first answer was wrong. */
  g_assert_cmpstr (g_ptr_array_index (interaction->instructions, 0), !=,
                   g_ptr_array_index (interaction->instructions, 1));
  g_assert_true (list_has (client, f->bin, "sudo"));
  tether_sftp_client_close (client);
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  static const char * const answers[] = { WRONG_PASSWORD };
  g_autoptr(TestSudoInteraction) interaction = interaction_new (answers, 1);
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    return;
  client = open_sudo (f, interaction, &error);
  g_assert_null (client);
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_AUTH_FAILED);
  g_assert_cmpuint (interaction->n_asked, ==, SUDO_TRIES);
  g_assert_nonnull (strstr (error->message, "3 times"));
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  static const char * const answers[] = { NULL };
  g_autoptr(TestSudoInteraction) interaction = interaction_new (answers, 1);
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    return;
  client = open_sudo (f, interaction, &error);
  g_assert_null (client);
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_AUTH_CANCELLED);
  g_assert_cmpuint (interaction->n_asked, ==, 1);
}

static void
test_no_interaction (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    return;
  client = open_sudo (f, NULL, &error);
  g_assert_null (client);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
}

static void
test_nopasswd_stand_in (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    return;
  /* No interaction at all: sudo must not ask. */
  client = open_sudo (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (list_has (client, f->bin, "sudo"));
  tether_sftp_client_close (client);
}

static void
test_denied (Fixture       *f,
             gconstpointer  data)
{
  static const char * const answers[] = { STAND_IN_PASSWORD };
  g_autoptr(TestSudoInteraction) interaction = interaction_new (answers, 1);
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    return;
  client = open_sudo (f, interaction, &error);
  g_assert_null (client);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "not allowed"));
  g_assert_cmpuint (interaction->n_asked, ==, 1);
}

static void
test_no_server (Fixture       *f,
                gconstpointer  data)
{
  static const char * const answers[] = { STAND_IN_PASSWORD };
  g_autoptr(TestSudoInteraction) interaction = interaction_new (answers, 1);
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    return;
  client = open_sudo (f, interaction, &error);
  g_assert_null (client);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "sftp-server"));
  g_assert_cmpuint (interaction->n_asked, ==, 1);
}

static void
test_no_sudo (Fixture       *f,
              gconstpointer  data)
{
  static const char * const answers[] = { STAND_IN_PASSWORD };
  g_autoptr(TestSudoInteraction) interaction = interaction_new (answers, 1);
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    return;
  client = open_sudo (f, interaction, &error);
  g_assert_null (client);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "sudo"));
  g_assert_cmpuint (interaction->n_asked, ==, 0);
}

static void
test_real_not_in_sudoers (Fixture       *f,
                          gconstpointer  data)
{
  const char *answers[] = { NULL };
  g_autoptr(TestSudoInteraction) interaction = NULL;
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    return;
  /* The test user's real password: sudo accepts it, then finds no rule for the user. */
  answers[0] = tether_test_server_get_password (f->server);
  interaction = interaction_new (answers, 1);
  client = open_sudo (f, interaction, &error);
  g_assert_null (client);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "sudoers"));
  g_assert_cmpuint (interaction->n_asked, ==, 1);
}

static void
test_real_wrong_password (Fixture       *f,
                          gconstpointer  data)
{
  static const char * const answers[] = { WRONG_PASSWORD };
  g_autoptr(TestSudoInteraction) interaction = interaction_new (answers, 1);
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    return;
  client = open_sudo (f, interaction, &error);
  g_assert_null (client);
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_AUTH_FAILED);
  g_assert_cmpuint (interaction->n_asked, ==, SUDO_TRIES);
}

/* Drop-ins of tests that crashed before removing theirs (named PREFIX + pid). */
static void
prune_stale_sudoers (const char *prefix)
{
  g_autoptr(GDir) dir = g_dir_open (SUDOERS_DIR, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *proc = NULL;
    g_autofree char *path = NULL;

    if (!g_str_has_prefix (name, prefix))
      continue;
    proc = g_strdup_printf ("/proc/%s", name + strlen (prefix));
    if (g_file_test (proc, G_FILE_TEST_EXISTS))
      continue;
    path = g_build_filename (SUDOERS_DIR, name, NULL);
    g_unlink (path);
  }
}

/* Gives the test user NOPASSWD sudo for as long as the test runs; FALSE (with the test
 * skipped) when that cannot be done here. */
static gboolean
add_sudoers_rule (Fixture *f)
{
  g_autofree char *rule = g_strdup_printf ("%s ALL=(root) NOPASSWD: ALL\n",
                                           TETHER_TEST_SERVER_USER);
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (getuid () != 0 || !g_file_test (SUDOERS_DIR, G_FILE_TEST_IS_DIR)) {
    g_test_skip ("a NOPASSWD rule for the test user needs root and " SUDOERS_DIR);
    return FALSE;
  }
  prune_stale_sudoers ("tether-test-sftp-");
  /* sudo ignores drop-ins with a dot in their name: no ".tmp" suffix. */
  f->sudoers = g_strdup_printf (SUDOERS_DIR "/tether-test-sftp-%d", (int) getpid ());
  g_file_set_contents (f->sudoers, rule, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (f->sudoers, 0440), ==, 0);
  if (g_file_test (VISUDO_PATH, G_FILE_TEST_IS_EXECUTABLE)) {
    const char *argv[] = { VISUDO_PATH, "-c", "-q", "-f", f->sudoers, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  return TRUE;
}

static void
test_real_nopasswd (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret_dir = NULL;
  g_autofree char *secret_file = NULL;

  if (f->server == NULL || !add_sudoers_rule (f))
    return;
  /* A folder only root can read. */
  secret_dir = g_dir_make_tmp ("tether-sudo-root-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (secret_dir, 0700), ==, 0);
  secret_file = g_build_filename (secret_dir, "root-only", NULL);
  g_file_set_contents (secret_file, "", 0, &error);
  g_assert_no_error (error);

  client = open_sudo (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (list_has (client, secret_dir, "root-only"));
  tether_sftp_client_close (client);

  g_unlink (secret_file);
  g_rmdir (secret_dir);
}

/* How many times the stand-in sudo started. */
static guint
count_starts (Fixture *f)
{
  g_autofree char *text = NULL;
  guint n = 0;

  if (!g_file_get_contents (f->log, &text, NULL, NULL))
    return 0;
  for (const char *p = text; (p = strstr (p, "start\n")) != NULL; p++)
    n++;
  return n;
}

static void
transfer (TetherSftpClient  *client,
          gboolean           upload,
          const char        *remote,
          const char        *local,
          GError           **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (local);
  g_autoptr(GAsyncResult) result = NULL;

  if (upload) {
    WAIT_FOR (result, "the upload",
              tether_sftp_client_upload_async (client, file, remote, NULL, NULL, STORE));
    tether_sftp_client_upload_finish (client, result, error);
  } else {
    WAIT_FOR (result, "the download",
              tether_sftp_client_download_async (client, remote, file, NULL, NULL, STORE));
    tether_sftp_client_download_finish (client, result, error);
  }
}

static void
assert_contents (const char *path,
                 const char *expected)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, expected);
}

/* Downloads, uploads and a folder upload of a sudo client each start sudo again (as
 * root, on a real server), and the password asked once answers all of them. */
static void
test_transfers (Fixture       *f,
                gconstpointer  data)
{
  static const char * const answers[] = { STAND_IN_PASSWORD };
  g_autoptr(TestSudoInteraction) interaction = interaction_new (answers, 1);
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *local = g_dir_make_tmp ("tether-sudo-local-XXXXXX", NULL);
  g_autofree char *remote_src = g_build_filename (f->work, "from-server.txt", NULL);
  g_autofree char *got = g_build_filename (local, "got.txt", NULL);
  g_autofree char *mine = g_build_filename (local, "mine.txt", NULL);
  g_autofree char *put = g_build_filename (f->work, "put.txt", NULL);
  g_autofree char *tree = g_build_filename (local, "tree", NULL);
  g_autofree char *tree_a = g_build_filename (tree, "a.txt", NULL);
  g_autofree char *remote_tree = g_build_filename (f->work, "tree", NULL);
  g_autofree char *remote_tree_a = g_build_filename (remote_tree, "a.txt", NULL);
  g_autofree char *cmd = g_strdup_printf ("rm -rf %s", local);

  if (f->server == NULL)
    return;
  g_file_set_contents (remote_src, "the server's bytes\n", -1, &error);
  g_assert_no_error (error);
  chown_to_test_user (remote_src);
  g_file_set_contents (mine, "my bytes\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (tree, 0755), ==, 0);
  g_file_set_contents (tree_a, "a\n", -1, &error);
  g_assert_no_error (error);

  client = open_sudo (f, interaction, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_starts (f), ==, 1);

  transfer (client, FALSE, remote_src, got, &error);
  g_assert_no_error (error);
  assert_contents (got, "the server's bytes\n");
  transfer (client, TRUE, put, mine, &error);
  g_assert_no_error (error);
  assert_contents (put, "my bytes\n");
  transfer (client, TRUE, remote_tree, tree, &error);
  g_assert_no_error (error);
  assert_contents (remote_tree_a, "a\n");

  /* Each transfer had a sudo of its own, and nobody was asked again. */
  g_assert_cmpuint (count_starts (f), ==, 4);
  g_assert_cmpuint (interaction->n_asked, ==, 1);

  /* The password changed on the server: the kept one is refused, the user asked again, and
   * the new one is kept from then on. */
  write_stand_in_with (f->bin, STAND_IN_PASSWORD_MODE, "a new password");
  {
    static const char * const next[] = { STAND_IN_PASSWORD, "a new password" };

    interaction->answers = next;
    interaction->n_answers = 2;
  }
  g_unlink (got);
  transfer (client, FALSE, remote_src, got, &error);
  g_assert_no_error (error);
  assert_contents (got, "the server's bytes\n");
  g_assert_cmpuint (interaction->n_asked, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (interaction->instructions, 1),
                            "not accepted"));
  g_unlink (got);
  transfer (client, FALSE, remote_src, got, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (interaction->n_asked, ==, 2);
  g_assert_cmpuint (count_starts (f), ==, 6);

  tether_sftp_client_close (client);
  g_assert_cmpint (system (cmd), ==, 0);
}

/* As root with a NOPASSWD rule: an upload into a folder only root may write lands there,
 * owned by root. */
static void
test_real_nopasswd_upload (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root_dir = NULL;
  g_autofree char *target = NULL;
  g_autofree char *local = NULL;
  struct stat st;

  if (f->server == NULL || !add_sudoers_rule (f))
    return;
  root_dir = g_dir_make_tmp ("tether-sudo-root-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (root_dir, 0700), ==, 0);
  target = g_build_filename (root_dir, "written-as-root", NULL);
  local = g_build_filename (f->work, "local.txt", NULL);
  g_file_set_contents (local, "as root\n", -1, &error);
  g_assert_no_error (error);

  client = open_sudo (f, NULL, &error);
  g_assert_no_error (error);
  transfer (client, TRUE, target, local, &error);
  g_assert_no_error (error);
  assert_contents (target, "as root\n");
  g_assert_cmpint (g_lstat (target, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, 0);
  tether_sftp_client_close (client);

  g_unlink (target);
  g_rmdir (root_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, mode, func) \
  g_test_add ("/tether/sftp-sudo/" path, Fixture, GINT_TO_POINTER (mode), fixture_setup, \
              func, fixture_teardown)
  ADD ("password", STAND_IN_PASSWORD_MODE, test_password);
  ADD ("retry", STAND_IN_PASSWORD_MODE, test_retry);
  ADD ("wrong-password", STAND_IN_PASSWORD_MODE, test_wrong_password);
  ADD ("cancelled", STAND_IN_PASSWORD_MODE, test_cancelled);
  ADD ("no-interaction", STAND_IN_PASSWORD_MODE, test_no_interaction);
  ADD ("nopasswd", STAND_IN_NOPASSWD, test_nopasswd_stand_in);
  ADD ("denied", STAND_IN_DENY, test_denied);
  ADD ("no-sftp-server", STAND_IN_NO_SERVER, test_no_server);
  ADD ("no-sudo", STAND_IN_NONE, test_no_sudo);
  ADD ("real/not-in-sudoers", STAND_IN_REAL, test_real_not_in_sudoers);
  ADD ("real/wrong-password", STAND_IN_REAL, test_real_wrong_password);
  ADD ("real/nopasswd", STAND_IN_REAL, test_real_nopasswd);
  ADD ("transfers", STAND_IN_PASSWORD_MODE, test_transfers);
  ADD ("real/nopasswd-upload", STAND_IN_REAL, test_real_nopasswd_upload);
#undef ADD

  return g_test_run ();
}
