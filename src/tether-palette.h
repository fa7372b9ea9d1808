/* tether-palette.h: the terminal colour palettes Tether offers, by name. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The 16 ANSI colours: 8 normal, 8 bright. */
#define TETHER_PALETTE_N_COLORS 16

/* The choice that follows the style (light or dark) of the app. */
#define TETHER_PALETTE_FOLLOW_SYSTEM "system"

typedef struct {
  const char *id;           /* the word in GSettings and in hosts.conf */
  const char *name;         /* for people: translate with _() */
  const char *foreground;
  const char *background;
  const char *colors[TETHER_PALETTE_N_COLORS];
} TetherPalette;

guint                tether_palette_get_n_choices (void);
const TetherPalette *tether_palette_get_choice    (guint        position);
int                  tether_palette_find_choice   (const char  *id);
const TetherPalette *tether_palette_resolve       (const char  *id,
                                                   gboolean     dark);
void                 tether_palette_get_colors    (const TetherPalette *palette,
                                                   GdkRGBA     *foreground,
                                                   GdkRGBA     *background,
                                                   GdkRGBA      colors[TETHER_PALETTE_N_COLORS]);

G_END_DECLS
