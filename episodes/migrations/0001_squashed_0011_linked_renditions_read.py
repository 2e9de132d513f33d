
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import episodes.models
import markdownx.models
import podcast.rules
import podcast.uploads
from django.db import migrations, models

from podcast import editors


SEARCH_INDEX = "episode_search_idx"


def create_search_index(apps, schema_editor):
    """A GIN index over the expression the search queries use; PostgreSQL only."""
    if schema_editor.connection.vendor == "postgresql":
        from django.contrib.postgres.indexes import GinIndex

        from episodes.search import search_vector

        Episode = apps.get_model("episodes", "Episode")
        schema_editor.add_index(Episode, GinIndex(search_vector(), name=SEARCH_INDEX))


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('episodes', '0001_initial'),
        ('episodes', '0002_editors_group'),
        ('episodes', '0003_search'),
        ('episodes', '0004_hardening'),
        ('episodes', '0005_show_redirect'),
        ('episodes', '0006_named_constraints'),
        ('episodes', '0007_podcasting20_tags'),
        ('episodes', '0008_rendered_show_notes'),
        ('episodes', '0009_import_fingerprints'),
        ('episodes', '0010_feed_items'),
        ('episodes', '0011_linked_renditions_read'),
    ]

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('guests', '0001_squashed_0004_rendered_bio'),
    ]

    operations = [
        migrations.CreateModel(
            name='Episode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('license', models.CharField(blank=True, help_text="podcast:license: an identifier such as “cc-by-4.0”, or your own license's short name (then give its URL).", max_length=128)),
                ('license_url', models.URLField(blank=True, help_text='The full text of the license; required for a license that is not well known.', max_length=500)),
                ('location_name', models.CharField(blank=True, help_text='podcast:location: a place as listeners would name it, e.g. “Austin, TX”.', max_length=128, verbose_name='location')),
                ('location_geo', models.CharField(blank=True, help_text='Latitude and longitude, e.g. “geo:30.2672,-97.7431”.', max_length=100, validators=[django.core.validators.RegexValidator('^geo:-?\\d{1,2}(\\.\\d+)?,-?\\d{1,3}(\\.\\d+)?(,-?\\d+(\\.\\d+)?)?(;u=\\d+(\\.\\d+)?)?$', 'Use a geo: URI, latitude then longitude, e.g. “geo:30.2672,-97.7431”.'), podcast.rules.validate_geo_range], verbose_name='geo URI')),
                ('location_osm', models.CharField(blank=True, help_text='N, W or R and the number from openstreetmap.org, e.g. “R113314”.', max_length=30, validators=[django.core.validators.RegexValidator('^[NWR]\\d+(#\\d+)?$', 'Use an OpenStreetMap id: N (node), W (way) or R (relation) and its number, e.g. “R113314”.')], verbose_name='OpenStreetMap id')),
                ('location_country', models.CharField(blank=True, help_text='Two-letter code, e.g. “us”.', max_length=2, validators=[django.core.validators.RegexValidator('^[a-z]{2}$', 'Use a two-letter ISO 3166-1 country code in lower case, e.g. “us”.')], verbose_name='country')),
                ('location_rel', models.CharField(blank=True, choices=[('subject', 'What the content is about'), ('creator', 'Where it was recorded or produced')], help_text="Empty: what the content is about (the namespace's default).", max_length=10, verbose_name='the location is')),
                ('title', models.CharField(help_text='Without the episode or season number: apps show those from their own fields.', max_length=255)),
                ('slug', models.SlugField(help_text='Unique within the show; part of the URL.', max_length=200)),
                ('guid', models.CharField(default=episodes.models.new_guid, help_text="The episode's identity for every podcast app. Never changes once published.", max_length=255)),
                ('summary', models.TextField(blank=True, help_text="Plain text, at most 4,000 bytes: the feed's description and the page's intro.", validators=[episodes.models.validate_max_4000_bytes])),
                ('show_notes', markdownx.models.MarkdownxField(blank=True, help_text='Markdown, at most 100,000 characters. Timestamps like 12:34 seek.', validators=[django.core.validators.MaxLengthValidator(100000, message='At most 100,000 characters are allowed; this is %(show_value)s characters.')])),
                ('show_notes_html', models.TextField(blank=True, editable=False, help_text='The show notes as sanitised HTML, made on save.')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published (scheduled when the date is in the future)')], default='draft', max_length=10)),
                ('pub_date', models.DateTimeField(blank=True, help_text='Publication time. A future time schedules the episode: it goes live by itself.', null=True)),
                ('episode_number', models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1)])),
                ('season_number', models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1)])),
                ('episode_type', models.CharField(choices=[('full', 'Full'), ('trailer', 'Trailer'), ('bonus', 'Bonus')], default='full', max_length=10)),
                ('explicit', models.BooleanField(default=False)),
                ('cover_art', models.ImageField(blank=True, help_text='Optional. Square JPEG or PNG, RGB, 1400–3000 px.', upload_to=podcast.uploads.UploadPath('art'))),
                ('cover_art_renditions', models.JSONField(blank=True, default=dict, editable=False)),
                ('cover_art_url', models.URLField(blank=True, help_text='Artwork hosted elsewhere (imported episodes).', max_length=1000)),
                ('audio_file', models.FileField(blank=True, help_text='MP3 or M4A. Size, type and duration are read from the file.', max_length=255, upload_to=podcast.uploads.UploadPath('audio'))),
                ('audio_url', models.URLField(blank=True, help_text='Instead of a file: audio hosted elsewhere (size, type and duration below).', max_length=1000)),
                ('audio_size', models.BigIntegerField(blank=True, help_text='Bytes. Read from the file on upload.', null=True)),
                ('audio_mime_type', models.CharField(blank=True, max_length=50)),
                ('audio_bitrate', models.PositiveIntegerField(blank=True, help_text='kbit/s.', null=True)),
                ('duration', models.PositiveIntegerField(blank=True, help_text='Seconds. Read from the file; override only if wrong.', null=True)),
                ('transcript', models.FileField(blank=True, help_text='WebVTT (.vtt) or SubRip (.srt).', upload_to=podcast.uploads.UploadPath('transcripts'))),
                ('transcript_url', models.URLField(blank=True, editable=False, max_length=1000)),
                ('transcript_mime_type', models.CharField(blank=True, editable=False, max_length=50)),
                ('transcript_text', models.TextField(blank=True, editable=False)),
                ('chapters_url', models.URLField(blank=True, editable=False, max_length=1000)),
                ('import_fingerprints', models.JSONField(blank=True, default=dict, editable=False, help_text="A hash of each value an import last wrote: a re-import keeps an editor's edits.")),
                ('social_uri', models.URLField(blank=True, help_text='podcast:socialInteract: the post (e.g. on Mastodon) where listeners discuss this episode; apps show its replies.', max_length=1000, verbose_name='discussion post')),
                ('social_protocol', models.CharField(blank=True, choices=[('activitypub', 'ActivityPub (Mastodon and others)'), ('bluesky', 'Bluesky'), ('twitter', 'X / Twitter'), ('nostr', 'Nostr'), ('matrix', 'Matrix'), ('hive', 'Hive'), ('lightning', 'Lightning'), ('disabled', 'Disabled: no public comments, please')], help_text='How apps read the post. “Disabled” asks apps to show no comments.', max_length=20, verbose_name='discussion protocol')),
                ('social_account_id', models.CharField(blank=True, help_text='The account that wrote the post, e.g. “@show@podcastindex.social”.', max_length=255, verbose_name='posted by')),
                ('social_account_url', models.URLField(blank=True, help_text="That account's public page.", max_length=500, verbose_name="poster's profile")),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('updated', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['-pub_date', '-id'],
                'get_latest_by': 'pub_date',
            },
        ),
        migrations.CreateModel(
            name='Show',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('license', models.CharField(blank=True, help_text="podcast:license: an identifier such as “cc-by-4.0”, or your own license's short name (then give its URL).", max_length=128)),
                ('license_url', models.URLField(blank=True, help_text='The full text of the license; required for a license that is not well known.', max_length=500)),
                ('location_name', models.CharField(blank=True, help_text='podcast:location: a place as listeners would name it, e.g. “Austin, TX”.', max_length=128, verbose_name='location')),
                ('location_geo', models.CharField(blank=True, help_text='Latitude and longitude, e.g. “geo:30.2672,-97.7431”.', max_length=100, validators=[django.core.validators.RegexValidator('^geo:-?\\d{1,2}(\\.\\d+)?,-?\\d{1,3}(\\.\\d+)?(,-?\\d+(\\.\\d+)?)?(;u=\\d+(\\.\\d+)?)?$', 'Use a geo: URI, latitude then longitude, e.g. “geo:30.2672,-97.7431”.'), podcast.rules.validate_geo_range], verbose_name='geo URI')),
                ('location_osm', models.CharField(blank=True, help_text='N, W or R and the number from openstreetmap.org, e.g. “R113314”.', max_length=30, validators=[django.core.validators.RegexValidator('^[NWR]\\d+(#\\d+)?$', 'Use an OpenStreetMap id: N (node), W (way) or R (relation) and its number, e.g. “R113314”.')], verbose_name='OpenStreetMap id')),
                ('location_country', models.CharField(blank=True, help_text='Two-letter code, e.g. “us”.', max_length=2, validators=[django.core.validators.RegexValidator('^[a-z]{2}$', 'Use a two-letter ISO 3166-1 country code in lower case, e.g. “us”.')], verbose_name='country')),
                ('location_rel', models.CharField(blank=True, choices=[('subject', 'What the content is about'), ('creator', 'Where it was recorded or produced')], help_text="Empty: what the content is about (the namespace's default).", max_length=10, verbose_name='the location is')),
                ('title', models.CharField(max_length=255)),
                ('slug', models.SlugField(help_text='Part of every URL of the show and its feed. Renaming keeps the old one (301).', max_length=100, validators=[episodes.models.validate_show_slug])),
                ('subtitle', models.CharField(blank=True, help_text='One line under the title.', max_length=255)),
                ('description', models.TextField(help_text='Plain text, at most 4,000 bytes. Shown by podcast apps.', validators=[episodes.models.validate_max_4000_bytes])),
                ('author', models.CharField(help_text="Shown as the show's author in apps.", max_length=255)),
                ('owner_name', models.CharField(max_length=255)),
                ('owner_email', models.EmailField(help_text='Apple and Spotify send ownership checks here; it appears in the feed.', max_length=254)),
                ('language', models.CharField(default='en', max_length=20, validators=[django.core.validators.RegexValidator('^[a-z]{2,3}(-[a-zA-Z0-9]{2,8})*$', 'Use an ISO 639 language code such as “en” or “en-us” (not “en_US”).')])),
                ('category', models.CharField(choices=[('Arts', 'Arts'), ('Business', 'Business'), ('Comedy', 'Comedy'), ('Education', 'Education'), ('Fiction', 'Fiction'), ('Government', 'Government'), ('History', 'History'), ('Health & Fitness', 'Health & Fitness'), ('Kids & Family', 'Kids & Family'), ('Leisure', 'Leisure'), ('Music', 'Music'), ('News', 'News'), ('Religion & Spirituality', 'Religion & Spirituality'), ('Science', 'Science'), ('Society & Culture', 'Society & Culture'), ('Sports', 'Sports'), ('Technology', 'Technology'), ('True Crime', 'True Crime'), ('TV & Film', 'TV & Film')], default='Technology', max_length=50)),
                ('subcategory', models.CharField(blank=True, choices=[('Arts', [('Books', 'Books'), ('Design', 'Design'), ('Fashion & Beauty', 'Fashion & Beauty'), ('Food', 'Food'), ('Performing Arts', 'Performing Arts'), ('Visual Arts', 'Visual Arts')]), ('Business', [('Careers', 'Careers'), ('Entrepreneurship', 'Entrepreneurship'), ('Investing', 'Investing'), ('Management', 'Management'), ('Marketing', 'Marketing'), ('Non-Profit', 'Non-Profit')]), ('Comedy', [('Comedy Interviews', 'Comedy Interviews'), ('Improv', 'Improv'), ('Stand-Up', 'Stand-Up')]), ('Education', [('Courses', 'Courses'), ('How To', 'How To'), ('Language Learning', 'Language Learning'), ('Self-Improvement', 'Self-Improvement')]), ('Fiction', [('Comedy Fiction', 'Comedy Fiction'), ('Drama', 'Drama'), ('Science Fiction', 'Science Fiction')]), ('Health & Fitness', [('Alternative Health', 'Alternative Health'), ('Fitness', 'Fitness'), ('Medicine', 'Medicine'), ('Mental Health', 'Mental Health'), ('Nutrition', 'Nutrition'), ('Sexuality', 'Sexuality')]), ('Kids & Family', [('Education for Kids', 'Education for Kids'), ('Parenting', 'Parenting'), ('Pets & Animals', 'Pets & Animals'), ('Stories for Kids', 'Stories for Kids')]), ('Leisure', [('Animation & Manga', 'Animation & Manga'), ('Automotive', 'Automotive'), ('Aviation', 'Aviation'), ('Crafts', 'Crafts'), ('Games', 'Games'), ('Hobbies', 'Hobbies'), ('Home & Garden', 'Home & Garden'), ('Video Games', 'Video Games')]), ('Music', [('Music Commentary', 'Music Commentary'), ('Music History', 'Music History'), ('Music Interviews', 'Music Interviews')]), ('News', [('Business News', 'Business News'), ('Daily News', 'Daily News'), ('Entertainment News', 'Entertainment News'), ('News Commentary', 'News Commentary'), ('Politics', 'Politics'), ('Sports News', 'Sports News'), ('Tech News', 'Tech News')]), ('Religion & Spirituality', [('Buddhism', 'Buddhism'), ('Christianity', 'Christianity'), ('Hinduism', 'Hinduism'), ('Islam', 'Islam'), ('Judaism', 'Judaism'), ('Religion', 'Religion'), ('Spirituality', 'Spirituality')]), ('Science', [('Astronomy', 'Astronomy'), ('Chemistry', 'Chemistry'), ('Earth Sciences', 'Earth Sciences'), ('Life Sciences', 'Life Sciences'), ('Mathematics', 'Mathematics'), ('Natural Sciences', 'Natural Sciences'), ('Nature', 'Nature'), ('Physics', 'Physics'), ('Social Sciences', 'Social Sciences')]), ('Society & Culture', [('Documentary', 'Documentary'), ('Personal Journals', 'Personal Journals'), ('Philosophy', 'Philosophy'), ('Places & Travel', 'Places & Travel'), ('Relationships', 'Relationships')]), ('Sports', [('Baseball', 'Baseball'), ('Basketball', 'Basketball'), ('Cricket', 'Cricket'), ('Fantasy Sports', 'Fantasy Sports'), ('Football', 'Football'), ('Golf', 'Golf'), ('Hockey', 'Hockey'), ('Rugby', 'Rugby'), ('Running', 'Running'), ('Soccer', 'Soccer'), ('Swimming', 'Swimming'), ('Tennis', 'Tennis'), ('Volleyball', 'Volleyball'), ('Wilderness', 'Wilderness'), ('Wrestling', 'Wrestling')]), ('TV & Film', [('After Shows', 'After Shows'), ('Film History', 'Film History'), ('Film Interviews', 'Film Interviews'), ('Film Reviews', 'Film Reviews'), ('TV Reviews', 'TV Reviews')])], help_text='Must belong to the category.', max_length=50)),
                ('explicit', models.BooleanField(default=False)),
                ('show_type', models.CharField(choices=[('episodic', 'Episodic (newest first)'), ('serial', 'Serial (oldest first, every episode numbered)')], default='episodic', max_length=10)),
                ('cover_art', models.ImageField(blank=True, help_text='Square JPEG or PNG, RGB, 1400–3000 px. Required by Apple.', upload_to=podcast.uploads.UploadPath('art'))),
                ('cover_art_renditions', models.JSONField(blank=True, default=dict, editable=False)),
                ('copyright', models.CharField(blank=True, help_text='E.g. “© 2026 Jane Doe”.', max_length=255)),
                ('website', models.URLField(blank=True, max_length=500)),
                ('funding_url', models.URLField(blank=True, help_text='Donations or membership.', max_length=500)),
                ('funding_text', models.CharField(blank=True, default='Support the show', max_length=128)),
                ('locked', models.BooleanField(default=True, help_text='podcast:locked: other hosting platforms may not import this feed.')),
                ('complete', models.BooleanField(default=False, help_text='No more episodes will ever be published.')),
                ('podcast_guid', models.UUIDField(editable=False, help_text='podcast:guid, computed once from the first feed URL and never changed.', unique=True)),
                ('new_feed_url', models.URLField(blank=True, help_text='Only when the show has moved elsewhere: the old feed then answers 301 to it.', max_length=500)),
                ('import_fingerprints', models.JSONField(blank=True, default=dict, editable=False, help_text="A hash of each value an import last wrote: a re-import keeps an editor's edits.")),
                ('medium', models.CharField(choices=[('podcast', 'Podcast'), ('music', 'Music (an album)'), ('video', 'Video'), ('film', 'Film'), ('audiobook', 'Audiobook'), ('newsletter', 'Newsletter'), ('blog', 'Blog'), ('course', 'Course')], default='podcast', help_text='podcast:medium: what the feed holds. Apps adapt (no speed-up for music).', max_length=20)),
                ('cover_art_alt', models.CharField(blank=True, help_text='What the artwork shows, for listeners who cannot see it (podcast:image alt).', max_length=255, verbose_name='artwork description')),
                ('update_frequency', models.CharField(blank=True, help_text='podcast:updateFrequency, as listeners read it, e.g. “Every other Monday”.', max_length=128)),
                ('update_rrule', models.CharField(blank=True, help_text='The same schedule for apps, as an iCalendar rule, e.g. “FREQ=WEEKLY;INTERVAL=2;BYDAY=MO”.', max_length=255, validators=[podcast.rules.validate_rrule], verbose_name='update rule')),
                ('update_dtstart', models.DateTimeField(blank=True, help_text='When the schedule begins; required when the rule has a COUNT.', null=True, verbose_name='schedule starts')),
                ('value_suggested', models.DecimalField(blank=True, decimal_places=11, help_text="podcast:value: bitcoin per minute a listener's app suggests streaming, e.g. 0.00000005 (5 sats). Recipients are listed below.", max_digits=20, null=True, verbose_name='suggested value')),
                ('publisher_name', models.CharField(blank=True, help_text='podcast:publisher: the network that owns the show, if any.', max_length=128)),
                ('publisher_feed_url', models.URLField(blank=True, help_text="The publisher's own feed (medium “publisher”).", max_length=500)),
                ('publisher_feed_guid', models.UUIDField(blank=True, help_text="The publisher feed's podcast:guid; worked out from its URL when empty.", null=True)),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('hosts', models.ManyToManyField(blank=True, help_text='Named as hosts in the feed and restated on every episode.', related_name='hosted_shows', to='guests.guest')),
            ],
            options={
                'ordering': ['title'],
            },
        ),
        migrations.CreateModel(
            name='Appearance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('host', 'Host'), ('co-host', 'Co-Host'), ('guest host', 'Guest Host'), ('guest', 'Guest'), ('narrator', 'Narrator'), ('producer', 'Producer'), ('editor', 'Editor'), ('composer', 'Composer')], default='guest', max_length=20)),
                ('order', models.PositiveSmallIntegerField(default=0, help_text='Lower comes first.')),
                ('updated', models.DateTimeField(auto_now=True)),
                ('guest', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appearances', to='guests.guest')),
            ],
            options={
                'ordering': ['order', 'id'],
            },
        ),
        migrations.CreateModel(
            name='FeedItem',
            fields=[
                ('episode', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='feed_item', serialize=False, to='episodes.episode')),
                ('version', models.PositiveBigIntegerField(default=0)),
                ('rendered_version', models.PositiveBigIntegerField(null=True)),
                ('context', models.CharField(blank=True, max_length=64)),
                ('xml', models.TextField(blank=True)),
            ],
        ),
        migrations.AddField(
            model_name='episode',
            name='guests',
            field=models.ManyToManyField(blank=True, related_name='episodes', through='episodes.Appearance', to='guests.guest'),
        ),
        migrations.AddField(
            model_name='appearance',
            name='episode',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='appearances', to='episodes.episode'),
        ),
        migrations.CreateModel(
            name='AlternateEnclosure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(blank=True, help_text='Short, e.g. “Low bandwidth” or “High quality Opus”.', max_length=32)),
                ('file', models.FileField(blank=True, help_text='MP3, M4A, Opus, Ogg or FLAC; type, size, bitrate and integrity are read from it.', max_length=255, upload_to=podcast.uploads.UploadPath('audio'))),
                ('url', models.URLField(blank=True, help_text='Instead of a file: the rendition hosted elsewhere. It is fetched once and read like an upload; it joins the feed when that worked.', max_length=1000)),
                ('mime_type', models.CharField(blank=True, help_text='Read from the file.', max_length=50)),
                ('size', models.BigIntegerField(blank=True, help_text='Bytes, read from the file.', null=True)),
                ('bitrate', models.PositiveIntegerField(blank=True, help_text='Bits per second, read from the file.', null=True)),
                ('codecs', models.CharField(blank=True, help_text='E.g. “opus”, “mp4a.40.2”.', max_length=50)),
                ('duration', models.PositiveIntegerField(blank=True, help_text='Seconds, read from the file.', null=True)),
                ('integrity', models.CharField(blank=True, help_text='SRI hash (sha384-…), computed from the file.', max_length=200)),
                ('read_url', models.URLField(blank=True, editable=False, help_text='The linked address the type, size, bitrate and integrity were read from.', max_length=1000)),
                ('read_problem', models.TextField(blank=True, editable=False, help_text='Why the linked file could not be read; it stays out of the feed until fixed.')),
                ('other_sources', models.TextField(blank=True, help_text='Other addresses of the same file (https://, ipfs://, a .torrent), one a line.')),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('episode', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alternate_enclosures', to='episodes.episode')),
            ],
            options={
                'verbose_name': 'alternate rendition (podcast:alternateEnclosure)',
                'ordering': ['order', 'id'],
            },
        ),
        migrations.CreateModel(
            name='EpisodeValueRecipient',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='Who this is, e.g. “Sam (host)”.', max_length=128)),
                ('address', models.CharField(help_text="The recipient's Lightning node public key (66 hex characters).", max_length=66, validators=[django.core.validators.RegexValidator('^0[23][0-9a-f]{64}$', "A Lightning node's public key: 66 hexadecimal characters beginning with 02 or 03.")], verbose_name='node public key')),
                ('split', models.PositiveIntegerField(help_text='Shares of each payment; fees are percentages taken first.', validators=[django.core.validators.MinValueValidator(1)])),
                ('fee', models.BooleanField(default=False, help_text="A fee (e.g. the host's), in percent.")),
                ('custom_key', models.CharField(blank=True, help_text='Only for wallets that need it (e.g. 696969), with the value below.', max_length=20, validators=[django.core.validators.RegexValidator('^\\d{1,20}$', 'A keysend custom record key is a number, e.g. 696969.')])),
                ('custom_value', models.CharField(blank=True, max_length=255)),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('episode', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='value_recipients', to='episodes.episode')),
            ],
            options={
                'verbose_name': "value recipient for this episode (replaces the show's)",
                'ordering': ['order', 'id'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='FeedBuild',
            fields=[
                ('show', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='feed_build', serialize=False, to='episodes.show')),
                ('holder', models.CharField(blank=True, max_length=64)),
                ('expires', models.DateTimeField(null=True)),
                ('builds', models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name='show',
            name='trailer',
            field=models.ForeignKey(blank=True, help_text='podcast:trailer: the episode apps offer as a preview. Empty: every published episode of type Trailer.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='episodes.episode'),
        ),
        migrations.AddField(
            model_name='episode',
            name='show',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='episodes', to='episodes.show'),
        ),
        migrations.CreateModel(
            name='PlatformLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('platform', models.CharField(choices=[('apple', 'Apple Podcasts'), ('spotify', 'Spotify'), ('youtube', 'YouTube'), ('amazon', 'Amazon Music'), ('overcast', 'Overcast'), ('pocketcasts', 'Pocket Casts'), ('podcastindex', 'Podcast Index'), ('google', 'Google Podcasts (discontinued)'), ('other', 'Other')], max_length=20)),
                ('label', models.CharField(blank=True, help_text='Name shown for “Other” links, e.g. “Castbox”.', max_length=100)),
                ('url', models.URLField(max_length=1000)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('episode', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to='episodes.episode')),
            ],
            options={
                'ordering': ['platform', 'id'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='PodrollItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(blank=True, help_text='Shown by apps.', max_length=128)),
                ('feed_url', models.URLField(blank=True, help_text="The show's feed.", max_length=1000)),
                ('feed_guid', models.UUIDField(blank=True, help_text='Its podcast:guid (Podcast Index shows it); worked out from the feed URL when empty.', null=True)),
                ('order', models.PositiveSmallIntegerField(default=0, help_text='Lower comes first.')),
                ('updated', models.DateTimeField(auto_now=True)),
                ('show', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='podroll', to='episodes.show')),
            ],
            options={
                'verbose_name': 'recommended show (podcast:podroll)',
                'ordering': ['order', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ShowBlock',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('service', models.CharField(blank=True, choices=[('acast', 'acast'), ('amazon', 'amazon'), ('anchor', 'anchor'), ('apple', 'apple'), ('audioboom', 'audioboom'), ('backtracks', 'backtracks'), ('bitcoin', 'bitcoin'), ('blubrry', 'blubrry'), ('buzzsprout', 'buzzsprout'), ('captivate', 'captivate'), ('castos', 'castos'), ('fireside', 'fireside'), ('google', 'google'), ('hypercatcher', 'hypercatcher'), ('libsyn', 'libsyn'), ('mastodon', 'mastodon'), ('megafono', 'megafono'), ('megaphone', 'megaphone'), ('omnystudio', 'omnystudio'), ('overcast', 'overcast'), ('paypal', 'paypal'), ('pinecast', 'pinecast'), ('podbean', 'podbean'), ('podcastaddict', 'podcastaddict'), ('podcastindex', 'podcastindex'), ('podcasts.com', 'podcasts.com'), ('podchaser', 'podchaser'), ('podfriend', 'podfriend'), ('podiant', 'podiant'), ('podigee', 'podigee'), ('podnews', 'podnews'), ('podomatic', 'podomatic'), ('podserve', 'podserve'), ('podverse', 'podverse'), ('redcircle', 'redcircle'), ('relayfm', 'relayfm'), ('resonate', 'resonate'), ('rss.com', 'rss.com'), ('shoutengine', 'shoutengine'), ('simplecast', 'simplecast'), ('slack', 'slack'), ('soundcloud', 'soundcloud'), ('spotify', 'spotify'), ('spreaker', 'spreaker'), ('transistor', 'transistor'), ('twitter', 'twitter'), ('whooshkaa', 'whooshkaa'), ('zencast', 'zencast')], help_text='Empty: every platform.', max_length=30)),
                ('blocked', models.BooleanField(default=True, help_text='Ticked: keep it off that platform. Unticked: allow it there.')),
                ('updated', models.DateTimeField(auto_now=True)),
                ('show', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='blocks', to='episodes.show')),
            ],
            options={
                'verbose_name': 'platform block (podcast:block)',
                'ordering': ['service', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ShowLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('platform', models.CharField(choices=[('apple', 'Apple Podcasts'), ('spotify', 'Spotify'), ('youtube', 'YouTube'), ('amazon', 'Amazon Music'), ('overcast', 'Overcast'), ('pocketcasts', 'Pocket Casts'), ('podcastindex', 'Podcast Index'), ('google', 'Google Podcasts (discontinued)'), ('other', 'Other')], max_length=20)),
                ('label', models.CharField(blank=True, help_text='Name shown for “Other” links, e.g. “Castbox”.', max_length=100)),
                ('url', models.URLField(max_length=1000)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('show', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to='episodes.show')),
            ],
            options={
                'ordering': ['platform', 'id'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='ShowRedirect',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(max_length=100, unique=True)),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('show', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='old_slugs', to='episodes.show')),
            ],
        ),
        migrations.CreateModel(
            name='ShowTxt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('purpose', models.CharField(blank=True, help_text="“verify” for a directory's ownership check, “applepodcastsverify” for Apple's.", max_length=128)),
                ('text', models.TextField(help_text='Exactly what the service asked you to publish.', max_length=4000)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('show', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='txt_records', to='episodes.show')),
            ],
            options={
                'verbose_name': 'text record (podcast:txt)',
                'ordering': ['purpose', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ShowValueRecipient',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='Who this is, e.g. “Sam (host)”.', max_length=128)),
                ('address', models.CharField(help_text="The recipient's Lightning node public key (66 hex characters).", max_length=66, validators=[django.core.validators.RegexValidator('^0[23][0-9a-f]{64}$', "A Lightning node's public key: 66 hexadecimal characters beginning with 02 or 03.")], verbose_name='node public key')),
                ('split', models.PositiveIntegerField(help_text='Shares of each payment; fees are percentages taken first.', validators=[django.core.validators.MinValueValidator(1)])),
                ('fee', models.BooleanField(default=False, help_text="A fee (e.g. the host's), in percent.")),
                ('custom_key', models.CharField(blank=True, help_text='Only for wallets that need it (e.g. 696969), with the value below.', max_length=20, validators=[django.core.validators.RegexValidator('^\\d{1,20}$', 'A keysend custom record key is a number, e.g. 696969.')])),
                ('custom_value', models.CharField(blank=True, max_length=255)),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('show', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='value_recipients', to='episodes.show')),
            ],
            options={
                'verbose_name': 'value recipient (podcast:value)',
                'ordering': ['order', 'id'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='Soundbite',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('start_time', models.DecimalField(decimal_places=3, help_text='Seconds from the start of the episode.', max_digits=9)),
                ('duration', models.DecimalField(decimal_places=3, help_text='Seconds; 15 to 120 is what apps expect.', max_digits=9)),
                ('title', models.CharField(blank=True, max_length=128)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('episode', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='soundbites', to='episodes.episode')),
            ],
            options={
                'ordering': ['start_time', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Tag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('slug', models.SlugField(max_length=120)),
                ('updated', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['name'],
                'indexes': [models.Index(fields=['name'], name='tag_name_idx')],
                'constraints': [models.UniqueConstraint(fields=('slug',), name='tag_unique_slug')],
            },
        ),
        migrations.AddField(
            model_name='episode',
            name='tags',
            field=models.ManyToManyField(blank=True, related_name='episodes', to='episodes.tag'),
        ),
        migrations.CreateModel(
            name='ValueTimeSplit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='Who this is, e.g. “Sam (host)”.', max_length=128)),
                ('address', models.CharField(help_text="The recipient's Lightning node public key (66 hex characters).", max_length=66, validators=[django.core.validators.RegexValidator('^0[23][0-9a-f]{64}$', "A Lightning node's public key: 66 hexadecimal characters beginning with 02 or 03.")], verbose_name='node public key')),
                ('split', models.PositiveIntegerField(help_text='Shares of each payment; fees are percentages taken first.', validators=[django.core.validators.MinValueValidator(1)])),
                ('fee', models.BooleanField(default=False, help_text="A fee (e.g. the host's), in percent.")),
                ('custom_key', models.CharField(blank=True, help_text='Only for wallets that need it (e.g. 696969), with the value below.', max_length=20, validators=[django.core.validators.RegexValidator('^\\d{1,20}$', 'A keysend custom record key is a number, e.g. 696969.')])),
                ('custom_value', models.CharField(blank=True, max_length=255)),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('start_time', models.PositiveIntegerField(help_text='Seconds from the start.')),
                ('duration', models.PositiveIntegerField(help_text='Seconds the segment lasts.', validators=[django.core.validators.MinValueValidator(1)])),
                ('episode', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='value_splits', to='episodes.episode')),
            ],
            options={
                'verbose_name': 'guest segment payment (podcast:valueTimeSplit)',
                'ordering': ['start_time', 'id'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='Chapter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('start_time', models.PositiveIntegerField(help_text='Seconds from the start.')),
                ('title', models.CharField(max_length=255)),
                ('url', models.URLField(blank=True, max_length=1000)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('episode', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chapters', to='episodes.episode')),
            ],
            options={
                'ordering': ['start_time', 'id'],
                'constraints': [models.UniqueConstraint(fields=('episode', 'start_time'), name='chapter_unique_start_per_episode'), models.CheckConstraint(condition=models.Q(('url', ''), ('url__istartswith', 'http://'), ('url__istartswith', 'https://'), _connector='OR'), name='chapter_url_http')],
            },
        ),
        migrations.AddConstraint(
            model_name='appearance',
            constraint=models.UniqueConstraint(fields=('episode', 'guest', 'role'), name='appearance_unique_role'),
        ),
        migrations.AddConstraint(
            model_name='appearance',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['host', 'co-host', 'guest host', 'guest', 'narrator', 'producer', 'editor', 'composer'])), name='appearance_role_valid'),
        ),
        migrations.AddConstraint(
            model_name='alternateenclosure',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('file', ''), ('url', ''), _connector='OR'), models.Q(('file', ''), ('url', ''), _negated=True)), name='alternateenclosure_one_source'),
        ),
        migrations.AddConstraint(
            model_name='alternateenclosure',
            constraint=models.CheckConstraint(condition=models.Q(('url', ''), ('url__istartswith', 'http://'), ('url__istartswith', 'https://'), _connector='OR'), name='alternateenclosure_url_http'),
        ),
        migrations.AddConstraint(
            model_name='alternateenclosure',
            constraint=models.CheckConstraint(condition=models.Q(('size__isnull', True), ('size__gte', 0), _connector='OR'), name='alternateenclosure_size'),
        ),
        migrations.AddConstraint(
            model_name='episodevaluerecipient',
            constraint=models.CheckConstraint(condition=models.Q(('split__gt', 0)), name='episodevaluerecipient_split'),
        ),
        migrations.AddConstraint(
            model_name='show',
            constraint=models.UniqueConstraint(fields=('slug',), name='show_unique_slug'),
        ),
        migrations.AddConstraint(
            model_name='show',
            constraint=models.CheckConstraint(condition=models.Q(('show_type__in', ['episodic', 'serial'])), name='show_type_valid'),
        ),
        migrations.AddConstraint(
            model_name='show',
            constraint=models.CheckConstraint(condition=models.Q(('category__in', ['Arts', 'Business', 'Comedy', 'Education', 'Fiction', 'Government', 'History', 'Health & Fitness', 'Kids & Family', 'Leisure', 'Music', 'News', 'Religion & Spirituality', 'Science', 'Society & Culture', 'Sports', 'Technology', 'True Crime', 'TV & Film'])), name='show_category_valid'),
        ),
        migrations.AddConstraint(
            model_name='show',
            constraint=models.CheckConstraint(condition=models.Q(('subcategory', ''), models.Q(('category', 'Arts'), ('subcategory__in', ['Books', 'Design', 'Fashion & Beauty', 'Food', 'Performing Arts', 'Visual Arts'])), models.Q(('category', 'Business'), ('subcategory__in', ['Careers', 'Entrepreneurship', 'Investing', 'Management', 'Marketing', 'Non-Profit'])), models.Q(('category', 'Comedy'), ('subcategory__in', ['Comedy Interviews', 'Improv', 'Stand-Up'])), models.Q(('category', 'Education'), ('subcategory__in', ['Courses', 'How To', 'Language Learning', 'Self-Improvement'])), models.Q(('category', 'Fiction'), ('subcategory__in', ['Comedy Fiction', 'Drama', 'Science Fiction'])), models.Q(('category', 'Health & Fitness'), ('subcategory__in', ['Alternative Health', 'Fitness', 'Medicine', 'Mental Health', 'Nutrition', 'Sexuality'])), models.Q(('category', 'Kids & Family'), ('subcategory__in', ['Education for Kids', 'Parenting', 'Pets & Animals', 'Stories for Kids'])), models.Q(('category', 'Leisure'), ('subcategory__in', ['Animation & Manga', 'Automotive', 'Aviation', 'Crafts', 'Games', 'Hobbies', 'Home & Garden', 'Video Games'])), models.Q(('category', 'Music'), ('subcategory__in', ['Music Commentary', 'Music History', 'Music Interviews'])), models.Q(('category', 'News'), ('subcategory__in', ['Business News', 'Daily News', 'Entertainment News', 'News Commentary', 'Politics', 'Sports News', 'Tech News'])), models.Q(('category', 'Religion & Spirituality'), ('subcategory__in', ['Buddhism', 'Christianity', 'Hinduism', 'Islam', 'Judaism', 'Religion', 'Spirituality'])), models.Q(('category', 'Science'), ('subcategory__in', ['Astronomy', 'Chemistry', 'Earth Sciences', 'Life Sciences', 'Mathematics', 'Natural Sciences', 'Nature', 'Physics', 'Social Sciences'])), models.Q(('category', 'Society & Culture'), ('subcategory__in', ['Documentary', 'Personal Journals', 'Philosophy', 'Places & Travel', 'Relationships'])), models.Q(('category', 'Sports'), ('subcategory__in', ['Baseball', 'Basketball', 'Cricket', 'Fantasy Sports', 'Football', 'Golf', 'Hockey', 'Rugby', 'Running', 'Soccer', 'Swimming', 'Tennis', 'Volleyball', 'Wilderness', 'Wrestling'])), models.Q(('category', 'TV & Film'), ('subcategory__in', ['After Shows', 'Film History', 'Film Interviews', 'Film Reviews', 'TV Reviews'])), _connector='OR'), name='show_subcategory_in_category'),
        ),
        migrations.AddConstraint(
            model_name='show',
            constraint=models.CheckConstraint(condition=models.Q(('website', ''), ('website__istartswith', 'http://'), ('website__istartswith', 'https://'), _connector='OR'), name='show_website_http'),
        ),
        migrations.AddConstraint(
            model_name='show',
            constraint=models.CheckConstraint(condition=models.Q(('funding_url', ''), ('funding_url__istartswith', 'http://'), ('funding_url__istartswith', 'https://'), _connector='OR'), name='show_funding_url_http'),
        ),
        migrations.AddConstraint(
            model_name='show',
            constraint=models.CheckConstraint(condition=models.Q(('license_url', ''), ('license_url__istartswith', 'http://'), ('license_url__istartswith', 'https://'), _connector='OR'), name='show_license_url_http'),
        ),
        migrations.AddConstraint(
            model_name='show',
            constraint=models.CheckConstraint(condition=models.Q(('publisher_feed_url', ''), ('publisher_feed_url__istartswith', 'http://'), ('publisher_feed_url__istartswith', 'https://'), _connector='OR'), name='show_publisher_feed_url_http'),
        ),
        migrations.AddConstraint(
            model_name='show',
            constraint=models.CheckConstraint(condition=models.Q(('medium__in', ['podcast', 'music', 'video', 'film', 'audiobook', 'newsletter', 'blog', 'course'])), name='show_medium_valid'),
        ),
        migrations.AddConstraint(
            model_name='platformlink',
            constraint=models.UniqueConstraint(condition=models.Q(('platform', 'other'), _negated=True), fields=('episode', 'platform'), name='platformlink_one_per_platform'),
        ),
        migrations.AddConstraint(
            model_name='platformlink',
            constraint=models.UniqueConstraint(condition=models.Q(('platform', 'other')), fields=('episode', 'label'), name='platformlink_other_unique_label'),
        ),
        migrations.AddConstraint(
            model_name='platformlink',
            constraint=models.CheckConstraint(condition=models.Q(('platform__in', ['apple', 'spotify', 'youtube', 'amazon', 'overcast', 'pocketcasts', 'podcastindex', 'google', 'other'])), name='platformlink_platform_valid'),
        ),
        migrations.AddConstraint(
            model_name='platformlink',
            constraint=models.CheckConstraint(condition=models.Q(('url', ''), ('url__istartswith', 'http://'), ('url__istartswith', 'https://'), _connector='OR'), name='platformlink_url_http'),
        ),
        migrations.AddConstraint(
            model_name='podrollitem',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('feed_url', ''), _negated=True), ('feed_guid__isnull', False), _connector='OR'), name='podrollitem_feed_url_or_guid'),
        ),
        migrations.AddConstraint(
            model_name='podrollitem',
            constraint=models.CheckConstraint(condition=models.Q(('feed_url', ''), ('feed_url__istartswith', 'http://'), ('feed_url__istartswith', 'https://'), _connector='OR'), name='podrollitem_feed_url_http'),
        ),
        migrations.AddConstraint(
            model_name='showblock',
            constraint=models.UniqueConstraint(fields=('show', 'service'), name='showblock_one_per_service'),
        ),
        migrations.AddConstraint(
            model_name='showblock',
            constraint=models.CheckConstraint(condition=models.Q(('service', ''), ('service__in', ('acast', 'amazon', 'anchor', 'apple', 'audioboom', 'backtracks', 'bitcoin', 'blubrry', 'buzzsprout', 'captivate', 'castos', 'fireside', 'google', 'hypercatcher', 'libsyn', 'mastodon', 'megafono', 'megaphone', 'omnystudio', 'overcast', 'paypal', 'pinecast', 'podbean', 'podcastaddict', 'podcastindex', 'podcasts.com', 'podchaser', 'podfriend', 'podiant', 'podigee', 'podnews', 'podomatic', 'podserve', 'podverse', 'redcircle', 'relayfm', 'resonate', 'rss.com', 'shoutengine', 'simplecast', 'slack', 'soundcloud', 'spotify', 'spreaker', 'transistor', 'twitter', 'whooshkaa', 'zencast')), _connector='OR'), name='showblock_service_known'),
        ),
        migrations.AddConstraint(
            model_name='showlink',
            constraint=models.UniqueConstraint(condition=models.Q(('platform', 'other'), _negated=True), fields=('show', 'platform'), name='showlink_one_per_platform'),
        ),
        migrations.AddConstraint(
            model_name='showlink',
            constraint=models.UniqueConstraint(condition=models.Q(('platform', 'other')), fields=('show', 'label'), name='showlink_other_unique_label'),
        ),
        migrations.AddConstraint(
            model_name='showlink',
            constraint=models.CheckConstraint(condition=models.Q(('platform__in', ['apple', 'spotify', 'youtube', 'amazon', 'overcast', 'pocketcasts', 'podcastindex', 'google', 'other'])), name='showlink_platform_valid'),
        ),
        migrations.AddConstraint(
            model_name='showlink',
            constraint=models.CheckConstraint(condition=models.Q(('url', ''), ('url__istartswith', 'http://'), ('url__istartswith', 'https://'), _connector='OR'), name='showlink_url_http'),
        ),
        migrations.AddConstraint(
            model_name='showvaluerecipient',
            constraint=models.CheckConstraint(condition=models.Q(('split__gt', 0)), name='showvaluerecipient_split'),
        ),
        migrations.AddConstraint(
            model_name='soundbite',
            constraint=models.CheckConstraint(condition=models.Q(('start_time__gte', 0)), name='soundbite_start'),
        ),
        migrations.AddConstraint(
            model_name='soundbite',
            constraint=models.CheckConstraint(condition=models.Q(('duration__gt', 0)), name='soundbite_duration'),
        ),
        migrations.AddIndex(
            model_name='episode',
            index=models.Index(fields=['show', '-pub_date', '-id'], name='episode_show_newest_idx'),
        ),
        migrations.AddIndex(
            model_name='episode',
            index=models.Index(fields=['status', 'pub_date'], name='episode_status_pub_idx'),
        ),
        migrations.AddIndex(
            model_name='episode',
            index=models.Index(fields=['show', 'season_number'], name='episode_show_season_idx'),
        ),
        migrations.AddIndex(
            model_name='episode',
            index=models.Index(fields=['show', 'updated'], name='episode_show_updated_idx'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.UniqueConstraint(fields=('show', 'slug'), name='episode_unique_slug_per_show'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.UniqueConstraint(fields=('guid',), name='episode_unique_guid'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(('episode_number__isnull', True), ('episode_number__gt', 0), _connector='OR'), name='episode_number_positive'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(('season_number__isnull', True), ('season_number__gt', 0), _connector='OR'), name='episode_season_positive'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'published'])), name='episode_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(('episode_type__in', ['full', 'trailer', 'bonus'])), name='episode_type_valid'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), ('pub_date__isnull', False), _connector='OR'), name='episode_published_has_date'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(('audio_file', ''), ('audio_url', ''), _connector='OR'), name='episode_one_audio_source'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(('audio_size__isnull', True), ('audio_size__gte', 0), _connector='OR'), name='episode_audio_size_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(('guid', ''), _negated=True), name='episode_guid_not_empty'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('show_notes'), 100000), name='episode_show_notes_bounded'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(('license_url', ''), ('license_url__istartswith', 'http://'), ('license_url__istartswith', 'https://'), _connector='OR'), name='episode_license_url_http'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(('social_uri', ''), ('social_uri__istartswith', 'http://'), ('social_uri__istartswith', 'https://'), _connector='OR'), name='episode_social_uri_http'),
        ),
        migrations.AddConstraint(
            model_name='episode',
            constraint=models.CheckConstraint(condition=models.Q(('social_account_url', ''), ('social_account_url__istartswith', 'http://'), ('social_account_url__istartswith', 'https://'), _connector='OR'), name='episode_social_account_url_http'),
        ),
        migrations.AddConstraint(
            model_name='valuetimesplit',
            constraint=models.CheckConstraint(condition=models.Q(('split__gt', 0)), name='valuetimesplit_split'),
        ),
        migrations.AddConstraint(
            model_name='valuetimesplit',
            constraint=models.CheckConstraint(condition=models.Q(('duration__gt', 0)), name='valuetimesplit_duration'),
        ),
        migrations.RunPython(create_search_index, drop_search_index),
        editors.granting("episodes", "guests"),
    ]
