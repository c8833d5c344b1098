"""Studio: a desktop review studio for AI-generated video."""

__version__ = "0.1.0"
