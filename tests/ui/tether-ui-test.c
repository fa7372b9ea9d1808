/* tether-ui-test.c: helpers shared by the UI test programs. */
#include "config.h"

#include <string.h>

#include "tether-ui-test.h"

/* A timeout callback that flags @data (a gboolean) when the wait is over. */
gboolean
tether_ui_test_set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Template children keep their id from the .ui file as buildable id. */
GtkWidget *
tether_ui_test_find_widget (GtkWidget  *root,
                            const char *id)
{
  if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)), id) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = tether_ui_test_find_widget (child, id);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
tether_ui_test_get_widget (gpointer    root,
                           const char *id)
{
  GtkWidget *widget = tether_ui_test_find_widget (GTK_WIDGET (root), id);

  if (widget == NULL)
    g_error ("No widget with id “%s”", id);

  return widget;
}

/* A host that logs in to @server with its key and trusts its host key. */
TetherHost *
tether_ui_test_new_host (TetherTestServer *server)
{
  g_autofree char *destination = NULL;
  const char *identity_files[] = { tether_test_server_get_key (server), NULL };
  g_autoptr(GError) error = NULL;
  TetherHost *host;

  destination = g_strdup_printf ("%s@%s:%u", tether_test_server_get_user (server),
                                 tether_test_server_get_host (server),
                                 tether_test_server_get_port (server));
  host = tether_host_new_for_destination (destination, &error);
  g_assert_no_error (error);
  tether_host_set_identity_files (host, identity_files);
  tether_host_set_identities_only (host, TRUE);
  tether_host_set_known_hosts_file (host, tether_test_server_get_known_hosts (server));
  tether_host_set_label (host, "Test Server");

  return host;
}

/* Whether the visible screen of @page shows @needle. */
gboolean
tether_ui_test_screen_contains (TetherTerminalPage *page,
                                const char         *needle)
{
  g_autofree char *text = vte_terminal_get_text (tether_terminal_page_get_terminal (page),
                                                 NULL, NULL, NULL);

  return text != NULL && strstr (text, needle) != NULL;
}
