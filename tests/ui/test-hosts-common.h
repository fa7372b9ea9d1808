/* test-hosts-common.h: what the saved-hosts UI tests (test-hosts-editor.c, test-hosts-list.c,
 * test-hosts-prompts.c) share: a window with an empty host store for each test, waiting for
 * the store's writes, finding widgets, toplevels and dialogs. */
#pragma once

#include <adwaita.h>
#include <tether.h>

#include "tether-application.h"
#include "tether-host-list.h"
#include "tether-window.h"

G_BEGIN_DECLS

extern TetherApplication *app;
/* The program's own temporary home (tests/tether-test-env). */
extern const char *temp_home;

typedef struct {
  TetherWindow *window;
  TetherHostStore *store;
  TetherHostList *list;
} Fixture;

void              test_hosts_init     (int               *argc,
                                       char            ***argv);

gboolean          store_add           (TetherHostStore   *store,
                                       TetherHost        *host,
                                       GError           **error);
gboolean          store_remove        (TetherHostStore   *store,
                                       TetherHost        *host,
                                       GError           **error);
GtkWidget        *find_widget_of_type (GtkWidget         *root,
                                       GType              type);
GtkWindow        *find_toplevel       (GType              type,
                                       GtkWindow         *not_this);
char             *read_file           (const char        *path);
void              fixture_set_up      (Fixture           *fixture,
                                       gconstpointer      data);
void              fixture_tear_down   (Fixture           *fixture,
                                       gconstpointer      data);
TetherHost       *add_host            (Fixture           *fixture,
                                       const char        *alias,
                                       const char        *hostname,
                                       const char        *group);
guint             n_rows              (TetherHostList    *list);
AdwMessageDialog *find_dialog         (GtkWindow         *not_this);
void              wait_for_dialog     (AdwMessageDialog **dialog);

#define add_hosts_test(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

G_END_DECLS
