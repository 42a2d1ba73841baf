"""gan_core: a small GAN trained step by step, for teaching. torch and numpy only (no Streamlit).

    from gan_core import Config, Trainer, schedule, views
    trainer = Trainer(Config(dataset="ring8", loss="non-saturating", seed=0))
    schedule.run(trainer, 3000)    # 3,000 steps, quality metrics every metrics_every steps
    views.view_arrays(trainer)     # plain numpy arrays for the views
"""

from .config import Config, from_flat
from .trainer import Trainer

__all__ = ["Config", "Trainer", "from_flat"]
__version__ = "0.1.0"
