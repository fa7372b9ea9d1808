/* tether-ui-test.h: what every UI test program needs: its start-up checks, waiting on the main
 * loop for a condition (never sleeping), a window to test in, finding template children, a host for the test sshd,
 * and a port on 127.0.0.1 to open destinations to without leaving the machine. */
#pragma once

#include <adwaita.h>
#include <tether.h>

#include "tether-application.h"
#include "tether-terminal-page.h"
#include "tether-test-host.h"
#include "tether-test-server.h"
#include "tether-test-wait.h"
#include "tether-window.h"

G_BEGIN_DECLS

/* Generous: logins, shells and windows are slow on a loaded CI machine and under ASan.
 * A test program may define its own before including this header. */
#ifndef WAIT_TIMEOUT_SECONDS
#define WAIT_TIMEOUT_SECONDS 60
#endif

void                tether_ui_test_init            (int                *argc,
                                                    char             ***argv);
gboolean            tether_ui_test_set_true        (gpointer            data);

/* Iterates the main context until @cond holds; fails the test when it does not in time. */
#define WAIT_UNTIL(cond) G_STMT_START { \
    gboolean timed_out_ = FALSE; \
    guint timeout_id_ = g_timeout_add_seconds (WAIT_TIMEOUT_SECONDS, tether_ui_test_set_true, \
                                               &timed_out_); \
    while (!(cond) && !timed_out_) \
      g_main_context_iteration (NULL, TRUE); \
    if (!timed_out_) \
      g_source_remove (timeout_id_); \
    g_assert_true (cond); \
  } G_STMT_END

/* Tests that drive a TetherWindow of the program's application (tether_ui_test_new_application ())
 * and need the test server that g_test_add () passes as their data: without one they are
 * skipped. */
typedef struct {
  TetherWindow *window;
} TetherUiTestWindowFixture;

void                tether_ui_test_window_set_up   (TetherUiTestWindowFixture *fixture,
                                                    gconstpointer              server);
void                tether_ui_test_window_tear_down (TetherUiTestWindowFixture *fixture,
                                                     gconstpointer              server);

/* Whether @widget is the one tether_ui_test_find_descendant () looks for. */
typedef gboolean (*TetherUiTestMatch) (GtkWidget     *widget,
                                       gconstpointer  data);

TetherApplication  *tether_ui_test_new_application (void);
void                tether_ui_test_open_window     (TetherApplication  *app,
                                                    TetherWindow      **window);
void                tether_ui_test_close_windows   (TetherApplication  *app,
                                                    TetherWindow      **window);
GtkWidget          *tether_ui_test_find_descendant (GtkWidget          *root,
                                                    TetherUiTestMatch   match,
                                                    gconstpointer       data);
GtkWidget          *tether_ui_test_find_widget     (GtkWidget          *root,
                                                    const char         *id);
GtkWidget          *tether_ui_test_get_widget      (gpointer            root,
                                                    const char         *id);
TetherHost         *tether_ui_test_new_host        (TetherTestServer   *server);
gboolean            tether_ui_test_screen_contains (TetherTerminalPage *page,
                                                    const char         *needle);
void                tether_ui_test_type            (TetherTerminalPage *page,
                                                    const char         *text);
gboolean            tether_ui_test_is_connected    (TetherTerminalPage *page);
TetherHostSession  *tether_ui_test_session_for     (TetherApplication  *app,
                                                    TetherHost         *host);
TetherTerminalPage *tether_ui_test_tab_terminal    (AdwTabPage         *tab);
AdwMessageDialog   *tether_ui_test_find_message_dialog (void);
const char         *tether_ui_test_dialog_fingerprints (AdwMessageDialog *dialog);
char               *tether_ui_test_dup_unlabelled_icon_buttons (GtkWidget *root,
                                                                guint     *n_checked);

typedef struct _TetherUiTestListener TetherUiTestListener;

TetherUiTestListener *tether_ui_test_listener_new           (void);
guint16               tether_ui_test_listener_get_port      (TetherUiTestListener *self);
guint                 tether_ui_test_listener_get_n_clients (TetherUiTestListener *self);
void                  tether_ui_test_listener_free          (TetherUiTestListener *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TetherUiTestListener, tether_ui_test_listener_free)

G_END_DECLS
