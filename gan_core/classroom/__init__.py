"""The classroom workflow without Streamlit: links that reproduce a setup, run ownership, example runs,
uploaded point sets and the class board's database."""
