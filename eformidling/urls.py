"""The integrasjonspunkt's paths under /api/, as Digdir's (no trailing slash)."""

from django.urls import path

from eformidling import views

urlpatterns = [
    path("capabilities/<str:identifier>", views.Capabilities.as_view(), name="eformidling-capabilities"),
    path("messages/out", views.MessagesOut.as_view(), name="eformidling-messages-out"),
    path("messages/out/multipart", views.MultipartMessage.as_view(), name="eformidling-multipart"),
    path("messages/out/<str:message_id>", views.MessageOut.as_view(), name="eformidling-message-out"),
    path("messages/in", views.MessagesIn.as_view(), name="eformidling-messages-in"),
    path("messages/in/peek", views.MessageInPeek.as_view(), name="eformidling-message-in-peek"),
    path("messages/in/pop/<str:message_id>", views.MessageInPop.as_view(), name="eformidling-message-in-pop"),
    path("messages/in/<str:message_id>", views.MessageIn.as_view(), name="eformidling-message-in"),
    path("statuses", views.Statuses.as_view(), name="eformidling-statuses"),
    path("statuses/peek", views.StatusPeek.as_view(), name="eformidling-status-peek"),
    path("statuses/<int:status_id>", views.StatusDelete.as_view(), name="eformidling-status"),
    path("statuses/<str:message_id>", views.StatusesOfMessage.as_view(), name="eformidling-statuses-of"),
    path("conversations", views.Conversations.as_view(), name="eformidling-conversations"),
    path(
        "conversations/queue", views.Conversations.as_view(queue=True), name="eformidling-conversation-queue"
    ),
    path(
        "conversations/messageId/<str:message_id>",
        views.ConversationByMessage.as_view(),
        name="eformidling-conversation-by-message",
    ),
    path(
        "conversations/<int:conversation_pk>",
        views.ConversationDetail.as_view(),
        name="eformidling-conversation",
    ),
]
