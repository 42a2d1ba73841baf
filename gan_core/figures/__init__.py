"""Figure builders: pure plotly / matplotlib figures from numbers (no streamlit, no torch)."""
