/* tether-files-page-admin.c: the files page as administrator. Its SFTP server is the host's
 * sftp-server run as root through sudo on the session's connection
 * (tether_sftp_client_new_sudo_async ()); sudo's password is asked in the app's dialog through
 * the session's interaction when the tab opens, and held (in locked memory only) by the tab's
 * client for its transfers' own sudo, never saved. Also files.open-administrator, which opens
 * such a tab next to this one. */
#include "config.h"

#include "tether-files-page-private.h"
#include "tether-window.h"

void
_tether_files_page_open_client_async (TetherFilesPage     *self,
                                      TetherConnection    *connection,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  if (self->administrator)
    tether_sftp_client_new_sudo_async (connection,
                                       tether_host_session_get_interaction (self->session),
                                       self->cancellable, callback, user_data);
  else
    tether_sftp_client_new_async (connection, self->cancellable, callback, user_data);
}

/* Which of the two it was is the result's to say: the page may be gone by then. */
TetherSftpClient *
_tether_files_page_open_client_finish (GAsyncResult  *result,
                                       GError       **error)
{
  if (g_async_result_is_tagged (result, tether_sftp_client_new_sudo_async))
    return tether_sftp_client_new_sudo_finish (result, error);
  return tether_sftp_client_new_finish (result, error);
}

static void
open_administrator_activated (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (TETHER_IS_WINDOW (root))
    tether_window_open_files_administrator (TETHER_WINDOW (root),
                                            tether_files_page_get_host (self));
}

void
_tether_files_page_class_admin_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "files.open-administrator", NULL,
                                   open_administrator_activated);
}

/**
 * tether_files_page_new_administrator:
 * @session: the host session to ride on
 *
 * Creates a files page whose SFTP server runs as root, through sudo.
 *
 * Returns: (transfer floating): the page
 */
TetherFilesPage *
tether_files_page_new_administrator (TetherHostSession *session)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (session), NULL);

  return g_object_new (TETHER_TYPE_FILES_PAGE,
                       "session", session,
                       "administrator", TRUE,
                       NULL);
}

/**
 * tether_files_page_get_administrator:
 * @self: a #TetherFilesPage
 *
 * Returns: whether the page's SFTP server runs as root, through sudo
 */
gboolean
tether_files_page_get_administrator (TetherFilesPage *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), FALSE);

  return self->administrator;
}
