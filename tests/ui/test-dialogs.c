/* test-dialogs.c: the dialogs that decide (close, paste, host key, secret), driven through
 * their run API: the test runs a dialog over a real window, answers it the way a user does
 * (a click on a response button, Escape, Enter in an entry) and checks the decision that
 * _finish () returns; withdrawing the question through the GCancellable ends it with
 * G_IO_ERROR_CANCELLED and takes the dialog away. Runs on its own Xvfb (tests/tether-test-env). */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <adwaita.h>
#include <tether.h>

#include "tether-close-dialog.h"
#include "tether-host-key-dialog.h"
#include "tether-paste-dialog.h"
#include "tether-secret-dialog.h"

#include "tether-ui-test.h"

typedef struct {
  GtkWindow *window;
  GAsyncResult *result;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->window = GTK_WINDOW (gtk_window_new ());
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_present (fixture->window);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->result);
  if (fixture->window != NULL)
    gtk_window_destroy (fixture->window);
  WAIT_UNTIL (fixture->window == NULL);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *fixture = user_data;

  g_assert_null (fixture->result);
  fixture->result = g_object_ref (result);
}

/* The first widget under @root (or @root) of @type, and if @label is given, a button with
 * that label (mnemonic included). */
static GtkWidget *
find_descendant (GtkWidget  *root,
                 GType       type,
                 const char *label)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) &&
      (label == NULL || g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    GtkWidget *found = find_descendant (child, type, label);

    if (found != NULL)
      return found;
  }

  return NULL;
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  return find_descendant (root, GTK_TYPE_BUTTON, label);
}

/* Answers @dialog as a click on its button labelled @label does, once it is on screen. */
static void
click (gpointer    dialog,
       const char *label)
{
  GtkWidget *button;

  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  button = find_button (GTK_WIDGET (dialog), label);
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

/* Once the answer is read, the dialog goes for good, as a run promises. (The result holds
 * the dialog it came from.) */
#define WAIT_GONE(fixture, dialog) G_STMT_START { \
    g_clear_object (&(fixture)->result); \
    WAIT_UNTIL ((dialog) == NULL); \
  } G_STMT_END

/* Close */

static void
test_close_tab (Fixture       *fixture,
                gconstpointer  data)
{
  TetherCloseDialog *dialog = tether_close_dialog_new_for_tab (fixture->window,
                                                               "alice@example.test");
  g_autoptr(GError) error = NULL;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Close Terminal?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "alice@example.test"));
  /* Enter keeps the shell. */
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "cancel");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == fixture->window);

  tether_close_dialog_run_async (dialog, NULL, store_result, fixture);
  g_assert_null (fixture->result);
  click (dialog, "C_lose");
  /* The decision is there when the click returns. */
  g_assert_nonnull (fixture->result);
  g_assert_true (tether_close_dialog_run_finish (dialog, fixture->result, &error));
  g_assert_no_error (error);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  WAIT_GONE (fixture, dialog);
}

static void
test_close_window (Fixture       *fixture,
                   gconstpointer  data)
{
  TetherCloseDialog *dialog = tether_close_dialog_new_for_window (fixture->window, 2);
  g_autoptr(GError) error = NULL;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Close Window?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "2 terminals"));

  tether_close_dialog_run_async (dialog, NULL, store_result, fixture);
  click (dialog, "_Cancel");
  g_assert_false (tether_close_dialog_run_finish (dialog, fixture->result, &error));
  g_assert_no_error (error);
  WAIT_GONE (fixture, dialog);

  /* Escape is Cancel too: an answer, not an error. */
  dialog = tether_close_dialog_new_for_window (fixture->window, 1);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (find_button (GTK_WIDGET (dialog), "C_lose Window") != NULL);
  tether_close_dialog_run_async (dialog, NULL, store_result, fixture);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  gtk_window_close (GTK_WINDOW (dialog));
  WAIT_UNTIL (fixture->result != NULL);
  g_assert_false (tether_close_dialog_run_finish (dialog, fixture->result, &error));
  g_assert_no_error (error);
  WAIT_GONE (fixture, dialog);
}

/* The question withdrawn: no decision, the dialog goes. */
static void
test_close_cancelled (Fixture       *fixture,
                      gconstpointer  data)
{
  TetherCloseDialog *dialog = tether_close_dialog_new_for_tab (fixture->window, "bob@example.test");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  tether_close_dialog_run_async (dialog, cancellable, store_result, fixture);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (fixture->result != NULL);
  g_assert_false (tether_close_dialog_run_finish (dialog, fixture->result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  WAIT_GONE (fixture, dialog);
}

/* Withdrawn before it was asked: never shown. */
static void
test_close_cancelled_before (Fixture       *fixture,
                             gconstpointer  data)
{
  TetherCloseDialog *dialog = tether_close_dialog_new_for_window (fixture->window, 3);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_cancellable_cancel (cancellable);
  tether_close_dialog_run_async (dialog, cancellable, store_result, fixture);
  /* An async function never answers before it returns. */
  g_assert_null (fixture->result);
  WAIT_UNTIL (fixture->result != NULL);
  g_assert_false (tether_close_dialog_run_finish (dialog, fixture->result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  WAIT_GONE (fixture, dialog);
}

/* The parent goes with its dialog open: the question ends as withdrawn. */
static void
test_close_parent_destroyed (Fixture       *fixture,
                             gconstpointer  data)
{
  TetherCloseDialog *dialog = tether_close_dialog_new_for_window (fixture->window, 1);
  g_autoptr(GError) error = NULL;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  tether_close_dialog_run_async (dialog, NULL, store_result, fixture);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  gtk_window_destroy (fixture->window);
  WAIT_UNTIL (fixture->result != NULL);
  g_assert_false (tether_close_dialog_run_finish (dialog, fixture->result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  WAIT_GONE (fixture, dialog);
}

/* Paste */

static void
test_paste (Fixture       *fixture,
            gconstpointer  data)
{
  TetherPasteDialog *dialog;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  const char *body;

  dialog = tether_paste_dialog_new (fixture->window, "one\ntwo <b>\nthree\nfour\nfive\nsix\n");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Paste Multiple Lines?");
  /* The first five lines, as text (markup escaped), and a sign that more follow. */
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  g_assert_nonnull (strstr (body, "one\ntwo &lt;b&gt;\nthree\nfour\nfive\n…"));
  g_assert_null (strstr (body, "six"));
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "cancel");

  tether_paste_dialog_run_async (dialog, NULL, store_result, fixture);
  click (dialog, "_Paste");
  g_assert_true (tether_paste_dialog_run_finish (dialog, fixture->result, &error));
  g_assert_no_error (error);
  WAIT_GONE (fixture, dialog);

  dialog = tether_paste_dialog_new (fixture->window, "a\nb");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_null (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "…"));
  tether_paste_dialog_run_async (dialog, cancellable, store_result, fixture);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (fixture->result != NULL);
  g_assert_false (tether_paste_dialog_run_finish (dialog, fixture->result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  WAIT_GONE (fixture, dialog);
}

/* Secret */

static void
test_secret (Fixture       *fixture,
             gconstpointer  data)
{
  TetherSecretDialog *dialog;
  GtkWidget *password;
  GtkWidget *code;
  GtkWidget *remember;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) answers = NULL;
  gboolean remembered = FALSE;

  dialog = tether_secret_dialog_new (fixture->window, "Password Required", "Enter it.");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  /* Nothing to remember it in: no offer. */
  g_assert_null (find_descendant (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON, NULL));
  password = tether_secret_dialog_add_entry (dialog, "Password", FALSE);
  code = tether_secret_dialog_add_entry (dialog, "Code", TRUE);
  g_assert_true (ADW_IS_PASSWORD_ENTRY_ROW (password));
  g_assert_true (ADW_IS_ENTRY_ROW (code) && !ADW_IS_PASSWORD_ENTRY_ROW (code));
  tether_secret_dialog_set_remember_label (dialog, "_Remember password");
  remember = find_descendant (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON, NULL);
  g_assert_nonnull (remember);
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "log-in");

  tether_secret_dialog_run_async (dialog, NULL, store_result, fixture);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  /* Typing starts in the first entry. */
  WAIT_UNTIL (gtk_window_get_focus (GTK_WINDOW (dialog)) != NULL &&
              gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (dialog)), password));
  gtk_editable_set_text (GTK_EDITABLE (password), "s3cret");
  gtk_editable_set_text (GTK_EDITABLE (code), "123456");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (remember), TRUE);
  click (dialog, "_Log In");
  answers = tether_secret_dialog_run_finish (dialog, fixture->result, &remembered, &error);
  g_assert_no_error (error);
  g_assert_nonnull (answers);
  g_assert_cmpuint (g_strv_length (answers), ==, 2);
  g_assert_cmpstr (answers[0], ==, "s3cret");
  g_assert_cmpstr (answers[1], ==, "123456");
  g_assert_true (remembered);
  WAIT_GONE (fixture, dialog);
}

/* Enter in an entry answers; Cancel is an answer too: none, and no error. */
static void
test_secret_enter_and_cancel (Fixture       *fixture,
                              gconstpointer  data)
{
  TetherSecretDialog *dialog;
  GtkWidget *entry;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) answers = NULL;
  gboolean remembered = TRUE;

  dialog = tether_secret_dialog_new (fixture->window, "Unlock Private Key", "Passphrase?");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  entry = tether_secret_dialog_add_entry (dialog, "Passphrase", FALSE);
  tether_secret_dialog_run_async (dialog, NULL, store_result, fixture);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  gtk_editable_set_text (GTK_EDITABLE (entry), "open sesame");
  g_signal_emit_by_name (entry, "entry-activated");
  answers = tether_secret_dialog_run_finish (dialog, fixture->result, &remembered, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (answers[0], ==, "open sesame");
  g_assert_false (remembered);
  WAIT_GONE (fixture, dialog);
  g_clear_pointer (&answers, g_strfreev);

  dialog = tether_secret_dialog_new (fixture->window, "Unlock Private Key", "Passphrase?");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  entry = tether_secret_dialog_add_entry (dialog, "Passphrase", FALSE);
  tether_secret_dialog_run_async (dialog, NULL, store_result, fixture);
  gtk_editable_set_text (GTK_EDITABLE (entry), "typed, then cancelled");
  click (dialog, "_Cancel");
  answers = tether_secret_dialog_run_finish (dialog, fixture->result, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (answers);
  WAIT_GONE (fixture, dialog);
}

static void
test_secret_cancelled (Fixture       *fixture,
                       gconstpointer  data)
{
  TetherSecretDialog *dialog;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) answers = NULL;

  dialog = tether_secret_dialog_new (fixture->window, "Password Required", NULL);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  tether_secret_dialog_add_entry (dialog, "Password", FALSE);
  tether_secret_dialog_run_async (dialog, cancellable, store_result, fixture);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (fixture->result != NULL);
  answers = tether_secret_dialog_run_finish (dialog, fixture->result, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (answers);
  WAIT_GONE (fixture, dialog);
}

/* Host key: a real key, from the test sshd, that known_hosts does not know. */

#define TEST_TYPE_CAPTURE_INTERACTION (test_capture_interaction_get_type ())
G_DECLARE_FINAL_TYPE (TestCaptureInteraction, test_capture_interaction, TEST,
                      CAPTURE_INTERACTION, TetherInteraction)

struct _TestCaptureInteraction
{
  TetherInteraction parent_instance;
};

G_DEFINE_FINAL_TYPE (TestCaptureInteraction, test_capture_interaction, TETHER_TYPE_INTERACTION)

/* Set from the connection's thread. */
static TetherHostKeyInfo *captured_info;

static TetherHostKeyDecision
capture_verify_host_key (TetherInteraction  *interaction,
                         TetherHostKeyInfo  *info,
                         GCancellable       *cancellable,
                         GError            **error)
{
  g_atomic_pointer_set (&captured_info, g_object_ref (info));
  return TETHER_HOST_KEY_DECISION_REJECT;
}

static void
test_capture_interaction_class_init (TestCaptureInteractionClass *klass)
{
  TETHER_INTERACTION_CLASS (klass)->verify_host_key = capture_verify_host_key;
}

static void
test_capture_interaction_init (TestCaptureInteraction *self)
{
}

static void
on_connect_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  gboolean *done = user_data;

  tether_connection_connect_finish (TETHER_CONNECTION (source), result, NULL);
  *done = TRUE;
}

/* The host key the test sshd shows a client that has never seen it, or %NULL (skipped). */
static TetherHostKeyInfo *
dup_unknown_host_key (TetherTestServer **server_out)
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(TetherInteraction) interaction = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *known_hosts = NULL;
  gboolean done = FALSE;

  server = tether_test_server_new (TETHER_TEST_SERVER_OPENSSH, &error);
  if (server == NULL) {
    g_test_skip (error->message);
    return NULL;
  }

  known_hosts = g_build_filename (g_get_home_dir (), "dialogs_known_hosts", NULL);
  g_assert_true (g_file_set_contents (known_hosts, "", 0, NULL));
  host = tether_ui_test_new_host (server);
  tether_host_set_known_hosts_file (host, known_hosts);

  interaction = g_object_new (TEST_TYPE_CAPTURE_INTERACTION, NULL);
  connection = tether_connection_new (host);
  tether_connection_set_interaction (connection, interaction);
  tether_connection_connect_async (connection, NULL, on_connect_done, &done);
  WAIT_UNTIL (done);
  g_assert_nonnull (captured_info);
  g_unlink (known_hosts);

  *server_out = g_steal_pointer (&server);
  return g_atomic_pointer_exchange (&captured_info, NULL);
}

static GtkWindow *
find_host_key_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

    if (TETHER_IS_HOST_KEY_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
      return window;
  }

  return NULL;
}

static void
test_host_key (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHostKeyInfo) info = dup_unknown_host_key (&server);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;
  GtkWindow *dialog;
  static const struct {
    const char *button;
    TetherHostKeyDecision decision;
  } answers[] = {
    { "Accept _Once", TETHER_HOST_KEY_DECISION_ACCEPT_ONCE },
    { "Accept and _Save", TETHER_HOST_KEY_DECISION_ACCEPT_AND_SAVE },
    { "_Cancel", TETHER_HOST_KEY_DECISION_REJECT },
  };

  if (info == NULL)
    return;
  g_assert_cmpint (tether_host_key_info_get_status (info), ==, TETHER_HOST_KEY_STATUS_UNKNOWN);

  for (gsize i = 0; i < G_N_ELEMENTS (answers); i++) {
    tether_host_key_dialog_run_async (fixture->window, info, NULL, store_result, fixture);
    WAIT_UNTIL ((dialog = find_host_key_dialog ()) != NULL);
    g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
    g_assert_true (gtk_window_get_transient_for (dialog) == fixture->window);
    /* Trust “host:port”? */
    heading = g_strdup_printf ("Trust “%s", tether_test_server_get_host (server));
    g_assert_true (g_str_has_prefix (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)),
                                     heading));
    g_clear_pointer (&heading, g_free);
    g_assert_nonnull (strstr (tether_ui_test_dialog_fingerprints (ADW_MESSAGE_DIALOG (dialog)),
                              tether_test_server_get_host_key_fingerprint (server)));
    g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==,
                     "cancel");
    click (dialog, answers[i].button);
    WAIT_UNTIL (fixture->result != NULL);
    g_assert_cmpint (tether_host_key_dialog_run_finish (fixture->result, &error), ==,
                     answers[i].decision);
    g_assert_no_error (error);
    WAIT_GONE (fixture, dialog);
    g_clear_object (&fixture->result);
  }

  tether_host_key_dialog_run_async (fixture->window, info, cancellable, store_result, fixture);
  WAIT_UNTIL ((dialog = find_host_key_dialog ()) != NULL);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (fixture->result != NULL);
  g_assert_cmpint (tether_host_key_dialog_run_finish (fixture->result, &error), ==,
                   TETHER_HOST_KEY_DECISION_REJECT);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  WAIT_GONE (fixture, dialog);
}

#define add_dialog_test(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  tether_ui_test_init (&argc, &argv);
  adw_init ();

  add_dialog_test ("/tether/dialogs/close-tab", test_close_tab);
  add_dialog_test ("/tether/dialogs/close-window", test_close_window);
  add_dialog_test ("/tether/dialogs/close-cancelled", test_close_cancelled);
  add_dialog_test ("/tether/dialogs/close-cancelled-before", test_close_cancelled_before);
  add_dialog_test ("/tether/dialogs/close-parent-destroyed", test_close_parent_destroyed);
  add_dialog_test ("/tether/dialogs/paste", test_paste);
  add_dialog_test ("/tether/dialogs/secret", test_secret);
  add_dialog_test ("/tether/dialogs/secret-enter-and-cancel", test_secret_enter_and_cancel);
  add_dialog_test ("/tether/dialogs/secret-cancelled", test_secret_cancelled);
  add_dialog_test ("/tether/dialogs/host-key", test_host_key);

  return g_test_run ();
}
