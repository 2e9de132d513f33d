
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import markdownx.models
import podcast.uploads
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('guests', '0001_initial'),
        ('guests', '0002_hardening'),
        ('guests', '0003_named_constraints'),
        ('guests', '0004_rendered_bio'),
    ]

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Guest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='As listeners should see it (at most 128).', max_length=128)),
                ('slug', models.SlugField(help_text="Used in the guest's page URL.", max_length=140)),
                ('title', models.CharField(blank=True, help_text='Job title, e.g. “ML Research Lead”.', max_length=200)),
                ('organisation', models.CharField(blank=True, help_text='E.g. “TechCorp”.', max_length=200)),
                ('bio', markdownx.models.MarkdownxField(blank=True, help_text="Markdown, at most 10,000 characters. Shown on the guest's page.", validators=[django.core.validators.MaxLengthValidator(10000, message='At most 10,000 characters are allowed; this is %(show_value)s characters.')])),
                ('bio_html', models.TextField(blank=True, editable=False, help_text='The bio as sanitised HTML, made on save.')),
                ('photo', models.ImageField(blank=True, help_text='JPEG or PNG, any reasonable size.', upload_to=podcast.uploads.UploadPath('photos'))),
                ('photo_renditions', models.JSONField(blank=True, default=dict, editable=False)),
                ('website', models.URLField(blank=True, max_length=500)),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('updated', models.DateTimeField(auto_now=True, db_index=True)),
            ],
            options={
                'ordering': ['name'],
                'indexes': [models.Index(fields=['name'], name='guest_name_idx'), models.Index(django.db.models.functions.text.Lower('name'), name='guest_name_lower_idx')],
                'constraints': [models.UniqueConstraint(fields=('slug',), name='guest_unique_slug'), models.CheckConstraint(condition=models.Q(('website', ''), ('website__istartswith', 'http://'), ('website__istartswith', 'https://'), _connector='OR'), name='guest_website_http'), models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('bio'), 10000), name='guest_bio_bounded')],
            },
        ),
        migrations.CreateModel(
            name='GuestLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('mastodon', 'Mastodon'), ('bluesky', 'Bluesky'), ('x', 'X (Twitter)'), ('linkedin', 'LinkedIn'), ('github', 'GitHub'), ('youtube', 'YouTube'), ('instagram', 'Instagram'), ('other', 'Other')], default='other', max_length=20)),
                ('url', models.URLField(max_length=500)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('guest', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to='guests.guest')),
            ],
            options={
                'ordering': ['kind', 'id'],
                'constraints': [models.UniqueConstraint(fields=('guest', 'url'), name='guestlink_unique_url'), models.CheckConstraint(condition=models.Q(('kind__in', ['mastodon', 'bluesky', 'x', 'linkedin', 'github', 'youtube', 'instagram', 'other'])), name='guestlink_kind_valid'), models.CheckConstraint(condition=models.Q(('url', ''), ('url__istartswith', 'http://'), ('url__istartswith', 'https://'), _connector='OR'), name='guestlink_url_http')],
            },
        ),
    ]
