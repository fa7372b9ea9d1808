/* tether-message-dialog.h: asking a question with an AdwMessageDialog and getting the answer
 * back through GAsyncResult, what adw_message_dialog_choose () does from libadwaita 1.3 on. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void  tether_message_dialog_choose_async  (AdwMessageDialog     *dialog,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
char *tether_message_dialog_choose_finish (AdwMessageDialog     *dialog,
                                           GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
