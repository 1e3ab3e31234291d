/**
 * The map's layer panes, bottom to top. Each kind of layer draws in its own pane so stores stay
 * on top of routes whatever loads last. Tooltips and popups must name Leaflet's own panes: inside
 * a react-leaflet <Pane> they would otherwise join the layer's pane and sit under its canvas, the
 * store markers drawn over their text.
 */
export const PANE_Z = { clusters: 410, routes: 420, warehouse: 430, stores: 440 } as const;

/** Leaflet's pane for tooltips (z-index 650, above every layer pane). */
export const TOOLTIP_PANE = "tooltipPane";
/** Leaflet's pane for popups (z-index 700). */
export const POPUP_PANE = "popupPane";
