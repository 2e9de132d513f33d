
import django.db.models.deletion
from django.db import migrations, models

from podcast import editors


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('analytics', '0001_initial'),
        ('analytics', '0002_editors_see_downloads'),
    ]

    dependencies = [
        ('episodes', '0001_squashed_0011_linked_renditions_read'),
    ]

    operations = [
        migrations.CreateModel(
            name='DailyBreakdown',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('dimension', models.CharField(choices=[('app', 'App'), ('device_category', 'Device category'), ('referrer', 'Web referrer')], max_length=20)),
                ('value', models.CharField(max_length=100)),
                ('downloads', models.PositiveIntegerField()),
                ('episode', models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='episodes.episode')),
                ('show', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='episodes.show')),
            ],
            options={
                'indexes': [models.Index(fields=['show', 'episode', 'dimension', 'day'], name='dailybreakdown_show_idx'), models.Index(fields=['day'], name='dailybreakdown_day_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('episode__isnull', False)), fields=('episode', 'day', 'dimension', 'value'), name='dailybreakdown_unique_episode'), models.UniqueConstraint(condition=models.Q(('episode__isnull', True)), fields=('show', 'day', 'dimension', 'value'), name='dailybreakdown_unique_show'), models.CheckConstraint(condition=models.Q(('dimension__in', ['app', 'device_category', 'referrer'])), name='dailybreakdown_dimension_valid')],
            },
        ),
        migrations.CreateModel(
            name='DailyDownloads',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('age', models.IntegerField(help_text="Days since the episode's publication (0: its first UTC day).", null=True)),
                ('downloads', models.PositiveIntegerField()),
                ('episode', models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='episodes.episode')),
                ('show', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='episodes.show')),
            ],
            options={
                'verbose_name': 'daily downloads',
                'verbose_name_plural': 'downloads',
                'indexes': [models.Index(fields=['show', 'episode', 'day'], name='dailydownloads_show_idx'), models.Index(fields=['day', 'show', 'episode'], name='dailydownloads_day_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('episode__isnull', False)), fields=('episode', 'day'), name='dailydownloads_unique_episode_day'), models.UniqueConstraint(condition=models.Q(('episode__isnull', True)), fields=('show', 'day'), name='dailydownloads_unique_show_day')],
            },
        ),
        migrations.CreateModel(
            name='Download',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('time', models.DateTimeField(help_text='The first counted request of the day.')),
                ('listener', models.CharField(max_length=32)),
                ('agent_kind', models.CharField(choices=[('app', 'App'), ('library', 'Library'), ('browser', 'Browser'), ('unknown', 'Unknown')], max_length=10)),
                ('app', models.CharField(blank=True, max_length=100)),
                ('device', models.CharField(blank=True, max_length=100)),
                ('device_category', models.CharField(blank=True, max_length=30)),
                ('referrer', models.CharField(blank=True, help_text='Web app, from the Referer.', max_length=100)),
                ('episode', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='downloads', to='episodes.episode')),
                ('show', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='episodes.show')),
            ],
            options={
                'indexes': [models.Index(fields=['day'], name='download_day_idx')],
                'constraints': [models.UniqueConstraint(fields=('episode', 'day', 'listener'), name='download_once_per_listener_day'), models.CheckConstraint(condition=models.Q(('agent_kind__in', ['app', 'library', 'browser', 'unknown'])), name='download_agent_kind_valid')],
            },
        ),
        migrations.CreateModel(
            name='FeedPoll',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('poller', models.CharField(max_length=32)),
                ('agent_kind', models.CharField(max_length=10)),
                ('app', models.CharField(blank=True, max_length=100)),
                ('subscribers', models.PositiveIntegerField(blank=True, help_text='As reported in the User-Agent by an aggregator.', null=True)),
                ('time', models.DateTimeField(help_text='The latest poll of the day.')),
                ('show', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='episodes.show')),
            ],
            options={
                'indexes': [models.Index(fields=['day'], name='feedpoll_day_idx'), models.Index(fields=['show', '-day'], name='feedpoll_show_day_idx')],
                'constraints': [models.UniqueConstraint(fields=('show', 'day', 'poller'), name='feedpoll_once_per_poller_day')],
            },
        ),
        editors.granting("analytics"),
    ]
