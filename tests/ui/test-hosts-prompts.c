/* test-hosts-prompts.c: the connect prompts (host key, changed key, password,
 * keyboard-interactive) take a connection to the test sshd, from a saved host's row to a
 * terminal tab; cancelling them fails the login as cancelled. Runs on its own Xvfb with HOME
 * and the XDG dirs in a temporary directory (tests/tether-test-env), so the user's own hosts
 * and keys are never read or written. */
#include "config.h"

#include <adwaita.h>
#include <tether.h>

#include "tether-prompt-interaction.h"
#include "tether-terminal-page.h"
#include "tether-test-server.h"

#include "tether-ui-test.h"
#include "test-hosts-common.h"

/* Connecting with an empty known_hosts: the host key dialog, then the password dialog. */
static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **error = user_data;

  tether_connection_connect_finish (TETHER_CONNECTION (source), result, error);
  g_object_set_data (source, "done", GINT_TO_POINTER (TRUE));
}

/* Answers the password dialog *@dialog with @server's password and waits for it to go. */
static void
answer_password (AdwMessageDialog **dialog,
                 TetherTestServer  *server)
{
  GtkWidget *entry = find_widget_of_type (GTK_WIDGET (*dialog), ADW_TYPE_PASSWORD_ENTRY_ROW);

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), tether_test_server_get_password (server));
  adw_message_dialog_response (*dialog, "log-in");
  WAIT_UNTIL (*dialog == NULL);
}

/* A host @name for @server with no key (so the password it asks for logs in), checking the
 * server's key against @known_hosts. */
static TetherHost *
password_host (TetherTestServer *server,
               const char       *name,
               const char       *known_hosts)
{
  TetherHost *host = tether_host_new (name);

  tether_host_set_hostname (host, tether_test_server_get_host (server));
  tether_host_set_port (host, tether_test_server_get_port (server));
  tether_host_set_user (host, tether_test_server_get_user (server));
  tether_host_set_known_hosts_file (host, known_hosts);
  return host;
}

/* Starts connecting to @host with the app's dialogs on @fixture's window as the interaction;
 * the result goes to @error and marks the connection "done" (on_connected ()). */
static TetherConnection *
connect_with_prompts (Fixture     *fixture,
                      TetherHost  *host,
                      GError     **error)
{
  g_autoptr(TetherPromptInteraction) interaction = NULL;
  TetherConnection *connection = tether_connection_new (host);

  interaction = tether_prompt_interaction_new (GTK_WINDOW (fixture->window));
  tether_connection_set_interaction (connection, TETHER_INTERACTION (interaction));
  tether_connection_connect_async (connection, NULL, on_connected, error);
  return connection;
}

static void
test_connect_prompts (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *known_hosts = g_build_filename (temp_home, "known_hosts", NULL);
  g_autofree char *saved_keys = NULL;
  AdwMessageDialog *dialog;
  AdwMessageDialog *password_dialog;

  server = tether_test_server_new_or_skip (TETHER_TEST_SERVER_OPENSSH, NULL);
  if (server == NULL)
    return;

  g_assert_true (g_file_set_contents (known_hosts, "", 0, NULL));
  host = password_host (server, "prompted", known_hosts);

  connection = connect_with_prompts (fixture, host, &error);

  /* The unknown key: type, fingerprint and randomart; saving it is the answer. */
  wait_for_dialog (&dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) ==
                 GTK_WINDOW (fixture->window));
  g_assert_nonnull (strstr (tether_ui_test_dialog_fingerprints (dialog),
                            tether_test_server_get_host_key_fingerprint (server)));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  g_assert_true (adw_message_dialog_has_response (dialog, "once"));
  g_assert_nonnull (adw_message_dialog_get_extra_child (dialog));
  adw_message_dialog_response (dialog, "save");
  WAIT_UNTIL (dialog == NULL);

  /* No key is accepted: the password. */
  wait_for_dialog (&password_dialog);
  answer_password (&password_dialog, server);

  WAIT_UNTIL (g_object_get_data (G_OBJECT (connection), "done") != NULL);
  g_assert_no_error (error);
  g_assert_cmpint (tether_connection_get_state (connection), ==, TETHER_CONNECTION_STATE_READY);

  saved_keys = read_file (known_hosts);
  g_assert_nonnull (strstr (saved_keys, tether_test_server_get_host (server)));

  tether_connection_close (connection);
}

/* The whole path a user takes: activate a saved host, answer the host-key and
 * password dialogs, get a terminal tab, see the row's state follow it. */
static void
test_activate_connects (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *known_hosts = g_build_filename (temp_home, "activate_known_hosts", NULL);
  AdwTabView *tab_view;
  AdwMessageDialog *dialog;
  GtkListBoxRow *row;
  TetherTerminalPage *terminal;

  server = tether_test_server_new_or_skip (TETHER_TEST_SERVER_OPENSSH, NULL);
  if (server == NULL)
    return;

  g_assert_true (g_file_set_contents (known_hosts, "", 0, NULL));
  host = password_host (server, "e2e", known_hosts);
  g_assert_true (store_add (fixture->store, host, &error));
  g_assert_no_error (error);

  WAIT_UNTIL (n_rows (fixture->list) == 1);
  /* The list knows the store's own object (with the id the store gave it). */
  g_clear_object (&host);
  host = g_list_model_get_item (G_LIST_MODEL (fixture->store), 0);
  row = gtk_list_box_get_row_at_index (tether_host_list_get_list_box (fixture->list), 0);
  g_signal_emit_by_name (tether_host_list_get_list_box (fixture->list), "row-activated", row);

  tab_view = tether_window_get_tab_view (fixture->window);
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 1);
  terminal = TETHER_TERMINAL_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view,
                                                                                       0)));

  wait_for_dialog (&dialog);
  g_assert_nonnull (strstr (tether_ui_test_dialog_fingerprints (dialog),
                            tether_test_server_get_host_key_fingerprint (server)));
  g_assert_cmpint (tether_host_list_get_host_state (fixture->list, host), ==,
                   TETHER_CONNECTION_STATE_CONNECTING);
  adw_message_dialog_response (dialog, "save");
  WAIT_UNTIL (dialog == NULL);

  wait_for_dialog (&dialog);
  answer_password (&dialog, server);

  WAIT_UNTIL (tether_terminal_page_get_state (terminal) == TETHER_TERMINAL_STATE_CONNECTED);
  g_assert_cmpint (tether_host_list_get_host_state (fixture->list, host), ==,
                   TETHER_CONNECTION_STATE_READY);
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, 1);
  {
    g_autofree char *saved = read_file (known_hosts);

    g_assert_nonnull (strstr (saved, tether_test_server_get_host (server)));
  }

  /* The shell ends: the row says so; closing the tab clears the row's state. */
  vte_terminal_feed_child (tether_terminal_page_get_terminal (terminal), "exit\n", -1);
  WAIT_UNTIL (tether_terminal_page_get_state (terminal) == TETHER_TERMINAL_STATE_DISCONNECTED);
  g_assert_cmpint (tether_host_list_get_host_state (fixture->list, host), ==,
                   TETHER_CONNECTION_STATE_CLOSED);
  adw_tab_view_close_page (tab_view, adw_tab_view_get_nth_page (tab_view, 0));
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 0);
  g_assert_cmpint (tether_host_list_get_host_state (fixture->list, host), ==,
                   TETHER_CONNECTION_STATE_DISCONNECTED);
}

static void
test_cancel_password (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  server = tether_test_server_new_or_skip (TETHER_TEST_SERVER_OPENSSH, NULL);
  if (server == NULL)
    return;

  host = password_host (server, "cancelled", tether_test_server_get_known_hosts (server));

  connection = connect_with_prompts (fixture, host, &error);

  /* Escape (the close response) is Cancel: the login fails as cancelled, nothing else. */
  wait_for_dialog (&dialog);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "log-in");
  gtk_window_close (GTK_WINDOW (dialog));
  WAIT_UNTIL (dialog == NULL);

  WAIT_UNTIL (g_object_get_data (G_OBJECT (connection), "done") != NULL);
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_AUTH_CANCELLED);
}

/* A changed key needs two explicit confirmations; then the old line is replaced. */
static void
test_changed_key (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *known_hosts = g_build_filename (temp_home, "changed_known_hosts", NULL);
  g_autofree char *old_keys = NULL;
  g_autofree char *new_keys = NULL;
  g_autofree char *old_fingerprint = NULL;
  AdwMessageDialog *dialog;
  AdwMessageDialog *confirm;
  GtkWidget *entry;

  server = tether_test_server_new_or_skip (TETHER_TEST_SERVER_OPENSSH, NULL);
  if (server == NULL)
    return;

  /* known_hosts holds the server's first key; then the server gets another. */
  g_assert_true (g_file_get_contents (tether_test_server_get_known_hosts (server), &old_keys,
                                      NULL, NULL));
  g_assert_true (g_file_set_contents (known_hosts, old_keys, -1, NULL));
  old_fingerprint = g_strdup (tether_test_server_get_host_key_fingerprint (server));
  tether_test_server_replace_host_key (server, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (old_fingerprint, !=, tether_test_server_get_host_key_fingerprint (server));

  host = password_host (server, "changed", known_hosts);

  connection = connect_with_prompts (fixture, host, &error);

  wait_for_dialog (&dialog);
  g_assert_nonnull (strstr (tether_ui_test_dialog_fingerprints (dialog), old_fingerprint));
  g_assert_nonnull (strstr (tether_ui_test_dialog_fingerprints (dialog),
                            tether_test_server_get_host_key_fingerprint (server)));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), known_hosts));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  g_assert_false (adw_message_dialog_has_response (dialog, "save"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "replace"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_response (dialog, "replace");
  WAIT_UNTIL (dialog == NULL);

  /* Nothing is written yet: the second dialog asks again, Cancel still the default. */
  wait_for_dialog (&confirm);
  g_assert_cmpstr (adw_message_dialog_get_heading (confirm), ==, "Replace the saved key?");
  g_assert_cmpstr (adw_message_dialog_get_default_response (confirm), ==, "cancel");
  new_keys = read_file (known_hosts);
  g_assert_cmpstr (new_keys, ==, old_keys);
  g_clear_pointer (&new_keys, g_free);
  adw_message_dialog_response (confirm, "replace");
  WAIT_UNTIL (confirm == NULL);

  wait_for_dialog (&dialog);
  entry = find_widget_of_type (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW);
  gtk_editable_set_text (GTK_EDITABLE (entry), tether_test_server_get_password (server));
  adw_message_dialog_response (dialog, "log-in");
  WAIT_UNTIL (dialog == NULL);

  WAIT_UNTIL (g_object_get_data (G_OBJECT (connection), "done") != NULL);
  g_assert_no_error (error);
  g_assert_cmpint (tether_connection_get_state (connection), ==, TETHER_CONNECTION_STATE_READY);
  new_keys = read_file (known_hosts);
  g_assert_cmpstr (new_keys, !=, old_keys);

  tether_connection_close (connection);
}

static void
on_answers (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  char ***answers = user_data;
  g_autoptr(GError) error = NULL;

  *answers = tether_interaction_ask_kbd_interactive_finish (TETHER_INTERACTION (source), result,
                                                           &error);
  g_assert_no_error (error);
  if (*answers == NULL)
    *answers = g_new0 (char *, 1);
}

/* One row per prompt, shown as typed only where the server allows it. */
static void
test_kbd_interactive (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(TetherPromptInteraction) interaction = NULL;
  const char * const prompts[] = { "Password: ", "Verification code: ", NULL };
  g_auto(GStrv) answers = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *secret;
  GtkWidget *code;

  interaction = tether_prompt_interaction_new (GTK_WINDOW (fixture->window));
  tether_interaction_ask_kbd_interactive_async (TETHER_INTERACTION (interaction), "Two-factor",
                                                "Answer both.", prompts, 1u << 1, NULL,
                                                on_answers, &answers);
  wait_for_dialog (&dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Two-factor");
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, "Answer both.");

  secret = find_widget_of_type (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (secret)), ==, "Password");
  code = gtk_widget_get_next_sibling (secret);
  g_assert_true (ADW_IS_ENTRY_ROW (code) && !ADW_IS_PASSWORD_ENTRY_ROW (code));
  gtk_editable_set_text (GTK_EDITABLE (secret), "s3cret");
  gtk_editable_set_text (GTK_EDITABLE (code), "123456");
  adw_message_dialog_response (dialog, "log-in");
  WAIT_UNTIL (answers != NULL);
  g_assert_cmpuint (g_strv_length (answers), ==, 2);
  g_assert_cmpstr (answers[0], ==, "s3cret");
  g_assert_cmpstr (answers[1], ==, "123456");
  WAIT_UNTIL (dialog == NULL);

  /* Cancel is an answer too: none, and no error. */
  g_clear_pointer (&answers, g_strfreev);
  tether_interaction_ask_kbd_interactive_async (TETHER_INTERACTION (interaction), NULL, NULL,
                                                prompts, 0, NULL, on_answers, &answers);
  WAIT_UNTIL (find_dialog (NULL) != NULL);
  adw_message_dialog_response (find_dialog (NULL), "cancel");
  WAIT_UNTIL (answers != NULL);
  g_assert_cmpuint (g_strv_length (answers), ==, 0);
}

static void
on_password (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GError **error = user_data;
  g_autofree char *password = NULL;

  password = tether_interaction_ask_password_finish (TETHER_INTERACTION (source), result, error);
  g_assert_null (password);
  g_assert_nonnull (*error);
}

/* A connection that gives up takes its open dialog with it. */
static void
test_prompt_cancelled (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(TetherPromptInteraction) interaction = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TetherHost) host = tether_host_new ("adhoc");
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  tether_host_set_hostname (host, "adhoc.example.test");
  interaction = tether_prompt_interaction_new (GTK_WINDOW (fixture->window));
  tether_interaction_ask_password_async (TETHER_INTERACTION (interaction), host, "alice", 0,
                                         cancellable, on_password, &error);
  wait_for_dialog (&dialog);
  /* An unsaved host has no keyring entry to file a password under. */
  g_assert_null (find_widget_of_type (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON));

  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (error != NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  WAIT_UNTIL (dialog == NULL);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  test_hosts_init (&argc, &argv);

  add_hosts_test ("/tether/hosts/connect-prompts", test_connect_prompts);
  add_hosts_test ("/tether/hosts/activate-connects", test_activate_connects);
  add_hosts_test ("/tether/hosts/cancel-password", test_cancel_password);
  add_hosts_test ("/tether/hosts/changed-key", test_changed_key);
  add_hosts_test ("/tether/hosts/kbd-interactive", test_kbd_interactive);
  add_hosts_test ("/tether/hosts/prompt-cancelled", test_prompt_cancelled);

  ret = g_test_run ();

  g_clear_object (&app);

  return ret;
}
