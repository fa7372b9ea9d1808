/* tether-interaction.h: how the connection service asks the user, like GTlsInteraction. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"

#include "tether-host.h"
#include "tether-host-key-info.h"

G_BEGIN_DECLS

#define TETHER_TYPE_INTERACTION (tether_interaction_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (TetherInteraction, tether_interaction, TETHER, INTERACTION, GObject)

/**
 * TetherInteractionClass:
 * @verify_host_key: ask whether to trust a host key (synchronous; runs on
 *   the thread that created the connection)
 * @verify_host_key_async: the same, asynchronously; the default calls
 *   @verify_host_key
 * @verify_host_key_finish: finishes @verify_host_key_async
 * @ask_password: ask the password of @user on @host; %NULL without an error
 *   means the user cancelled
 * @ask_password_async: asynchronous @ask_password; the default calls it
 * @ask_password_finish: finishes @ask_password_async
 * @ask_passphrase: ask the passphrase of an encrypted private key
 * @ask_passphrase_async: asynchronous @ask_passphrase; the default calls it
 * @ask_passphrase_finish: finishes @ask_passphrase_async
 * @ask_kbd_interactive: answer keyboard-interactive prompts; returns one
 *   answer per prompt
 * @ask_kbd_interactive_async: asynchronous @ask_kbd_interactive; the default calls it
 * @ask_kbd_interactive_finish: finishes @ask_kbd_interactive_async
 *
 * The virtual methods of #TetherInteraction. A subclass overrides either the
 * synchronous methods (simple, what tests and scripts do) or the asynchronous
 * ones (what a UI with dialogs does).
 */
/**
 * TetherInteractionClass::ask_kbd_interactive:
 * @self: a #TetherInteraction
 * @name: (nullable): the name the server gave the exchange
 * @instruction: (nullable): the server's instruction text
 * @prompts: (array zero-terminated=1): the prompts
 * @echo_mask: bit i set when the answer to prompt i may be shown as typed
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Answers one keyboard-interactive round.
 *
 * Returns: (transfer full) (nullable) (array zero-terminated=1): one answer
 *   per prompt, or %NULL when the user cancelled
 */
struct _TetherInteractionClass
{
  GObjectClass parent_class;

  TetherHostKeyDecision (*verify_host_key)        (TetherInteraction    *self,
                                                   TetherHostKeyInfo    *info,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
  void                  (*verify_host_key_async)  (TetherInteraction    *self,
                                                   TetherHostKeyInfo    *info,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
  TetherHostKeyDecision (*verify_host_key_finish) (TetherInteraction    *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

  char *                (*ask_password)           (TetherInteraction    *self,
                                                   TetherHost           *host,
                                                   const char           *user,
                                                   guint                 attempt,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
  void                  (*ask_password_async)     (TetherInteraction    *self,
                                                   TetherHost           *host,
                                                   const char           *user,
                                                   guint                 attempt,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
  char *                (*ask_password_finish)    (TetherInteraction    *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

  char *                (*ask_passphrase)         (TetherInteraction    *self,
                                                   const char           *key_file,
                                                   guint                 attempt,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
  void                  (*ask_passphrase_async)   (TetherInteraction    *self,
                                                   const char           *key_file,
                                                   guint                 attempt,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
  char *                (*ask_passphrase_finish)  (TetherInteraction    *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

  char **               (*ask_kbd_interactive)    (TetherInteraction    *self,
                                                   const char           *name,
                                                   const char           *instruction,
                                                   const char * const   *prompts,
                                                   guint                 echo_mask,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
  void                  (*ask_kbd_interactive_async)  (TetherInteraction  *self,
                                                   const char           *name,
                                                   const char           *instruction,
                                                   const char * const   *prompts,
                                                   guint                 echo_mask,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
  char **               (*ask_kbd_interactive_finish) (TetherInteraction  *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

  /*< private >*/
  gpointer padding[8];
};

TETHER_AVAILABLE_IN_ALL
TetherInteraction     *tether_interaction_new                     (void);

TETHER_AVAILABLE_IN_ALL
void                   tether_interaction_verify_host_key_async   (TetherInteraction    *self,
                                                                   TetherHostKeyInfo    *info,
                                                                   GCancellable         *cancellable,
                                                                   GAsyncReadyCallback   callback,
                                                                   gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
TetherHostKeyDecision  tether_interaction_verify_host_key_finish  (TetherInteraction    *self,
                                                                   GAsyncResult         *result,
                                                                   GError              **error);
TETHER_AVAILABLE_IN_ALL
void                   tether_interaction_ask_password_async      (TetherInteraction    *self,
                                                                   TetherHost           *host,
                                                                   const char           *user,
                                                                   guint                 attempt,
                                                                   GCancellable         *cancellable,
                                                                   GAsyncReadyCallback   callback,
                                                                   gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
char                  *tether_interaction_ask_password_finish     (TetherInteraction    *self,
                                                                   GAsyncResult         *result,
                                                                   GError              **error);
TETHER_AVAILABLE_IN_ALL
void                   tether_interaction_ask_passphrase_async    (TetherInteraction    *self,
                                                                   const char           *key_file,
                                                                   guint                 attempt,
                                                                   GCancellable         *cancellable,
                                                                   GAsyncReadyCallback   callback,
                                                                   gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
char                  *tether_interaction_ask_passphrase_finish   (TetherInteraction    *self,
                                                                   GAsyncResult         *result,
                                                                   GError              **error);
TETHER_AVAILABLE_IN_ALL
void                   tether_interaction_ask_kbd_interactive_async  (TetherInteraction  *self,
                                                                   const char           *name,
                                                                   const char           *instruction,
                                                                   const char * const   *prompts,
                                                                   guint                 echo_mask,
                                                                   GCancellable         *cancellable,
                                                                   GAsyncReadyCallback   callback,
                                                                   gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
char                 **tether_interaction_ask_kbd_interactive_finish (TetherInteraction  *self,
                                                                   GAsyncResult         *result,
                                                                   GError              **error);

G_END_DECLS
