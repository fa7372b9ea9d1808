/* test-defects-common.h: what the issue 16 programs (test-defects-keys.c,
 * test-defects-look.c) share: the application and test server, real key presses and clicks
 * through the X server (xdotool), a connected terminal tab, and finding and removing saved
 * hosts. */
#pragma once

#include <adwaita.h>
#include <tether.h>

#include "tether-application.h"
#include "tether-terminal-page.h"
#include "tether-test-server.h"
#include "tether-window.h"

#include "tether-ui-test.h"

G_BEGIN_DECLS

extern TetherApplication *app;
extern TetherTestServer *server;

typedef TetherUiTestWindowFixture Fixture;

void                test_defects_init  (int                *argc,
                                        char             ***argv);
void                test_defects_clear (void);

void                press_keys         (GtkWidget          *widget,
                                        const char         *keys);
gboolean            can_press_keys     (void);
void                click_widget       (GtkWidget          *widget);
TetherTerminalPage *open_terminal      (TetherWindow       *window);
gboolean            terminal_has_focus (TetherTerminalPage *page);
void                type_and_expect    (TetherTerminalPage *page,
                                        const char         *keys,
                                        const char         *expected);
void                type_byte_reader   (TetherTerminalPage *page);
GtkWindow          *find_toplevel      (GType               type);
void                remove_hosts       (TetherHostStore    *store);
GtkWidget          *find_row           (TetherWindow       *window,
                                        const char         *label);

#define add_test(path, func) \
  g_test_add ((path), Fixture, server, tether_ui_test_window_set_up, (func), \
              tether_ui_test_window_tear_down)

G_END_DECLS
