"""Streamlit-side helpers shared by the pages (i18n lookup, sidebar controls, the live training fragment).

Not imported by `gan_core` itself: the engine works without Streamlit installed."""
