from django.urls import path

from samverkan.stories import feeds, views

app_name = "stories"

urlpatterns = [
    path("stories/", views.story_list, name="list"),
    path("stories/feed.rss", feeds.StoryFeed(), name="feed_rss"),
    path("stories/feed.atom", feeds.StoryAtomFeed(), name="feed_atom"),
    path("stories/manage/", views.manage, name="manage"),
    path("stories/manage/new/", views.story_new, name="story_new"),
    path("stories/manage/<int:story_id>/", views.editor_detail, name="editor_detail"),
    path("stories/manage/<int:story_id>/edit/", views.story_edit, name="story_edit"),
    path("stories/manage/<int:story_id>/photos/<int:number>.jpg", views.editor_photo, name="editor_photo"),
    path("stories/p/<str:token>/", views.person, name="person"),
    path("stories/p/<str:token>/photo.jpg", views.person_photo, name="person_photo"),
    path("stories/<slug:slug>/", views.story_detail, name="detail"),
    path("stories/<slug:slug>/photo.jpg", views.story_photo, name="photo"),
]
