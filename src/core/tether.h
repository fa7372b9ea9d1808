/* tether.h: the one header of libtether, the GTK-free SSH core of Tether. */
#pragma once

#define TETHER_INSIDE
#include "tether-enums.h"
#include "tether-auto-forward.h"
#include "tether-channel.h"
#include "tether-connection.h"
#include "tether-error.h"
#include "tether-forward-spec.h"
#include "tether-forward.h"
#include "tether-host.h"
#include "tether-host-session.h"
#include "tether-host-store.h"
#include "tether-host-key-info.h"
#include "tether-interaction.h"
#include "tether-remote-edit.h"
#include "tether-remote-ports.h"
#include "tether-secrets.h"
#include "tether-session-channel.h"
#include "tether-session-manager.h"
#include "tether-sftp-client.h"
#include "tether-shell.h"
#include "tether-ssh-config.h"
#include "tether-transfer.h"
#include "tether-version.h"
#undef TETHER_INSIDE
