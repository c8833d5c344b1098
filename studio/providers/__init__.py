"""Provider adapters: one interface (`Provider`), two wire shapes, capability profiles as data."""

from studio.providers.base import Provider
from studio.providers.errors import (
    AuthError,
    ProviderError,
    RequestError,
    TransportError,
    Unsupported,
)
from studio.providers.openai_shape import OpenAIShapeProvider
from studio.providers.openrouter import OpenRouterProvider
from studio.providers.profiles import ModelProfile, ProfileSet, load_profiles
from studio.providers.types import (
    FailureKind,
    ReferenceImage,
    RemoteJob,
    RemoteStatus,
    RenderSpec,
    Variant,
)

__all__ = [
    "AuthError",
    "FailureKind",
    "ModelProfile",
    "OpenAIShapeProvider",
    "OpenRouterProvider",
    "ProfileSet",
    "Provider",
    "ProviderError",
    "ReferenceImage",
    "RemoteJob",
    "RemoteStatus",
    "RenderSpec",
    "RequestError",
    "TransportError",
    "Unsupported",
    "Variant",
    "load_profiles",
]
