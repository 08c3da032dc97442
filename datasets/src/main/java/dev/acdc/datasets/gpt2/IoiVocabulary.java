package dev.acdc.datasets.gpt2;

import java.util.List;

/**
 * The word lists and templates of the IOI task (Wang et al. 2022), as the ACDC code defines them in
 * {@code acdc/ioi/ioi_dataset.py}. Names, places and objects carry no leading space; in a prompt each
 * follows a space, which makes it a single GPT-2 token.
 *
 * @param names the 99 {@code NAMES}
 * @param places the 8 {@code PLACES}
 * @param objects the 8 {@code OBJECTS}
 * @param abbaTemplates the 15 {@code ABBA_TEMPLATES}, with slots {@code [A]} (IO), {@code [B]} (S),
 *     {@code [PLACE]} and {@code [OBJECT]}
 */
public record IoiVocabulary(List<String> names, List<String> places, List<String> objects, List<String> abbaTemplates) {
    public IoiVocabulary {
        names = List.copyOf(names);
        places = List.copyOf(places);
        objects = List.copyOf(objects);
        abbaTemplates = List.copyOf(abbaTemplates);
        if (names.stream().distinct().count() < 3) {
            throw new IllegalArgumentException("IOI needs at least 3 distinct names (IO, S and a third), got " + names);
        }
        if (places.isEmpty() || objects.isEmpty() || abbaTemplates.isEmpty()) {
            throw new IllegalArgumentException("IOI needs at least one place, object and template, got "
                    + places.size() + ", " + objects.size() + ", " + abbaTemplates.size());
        }
    }

    private static final class Holder {
        static final IoiVocabulary ACDC = new IoiVocabulary(
                WordLists.load("ioi/names.txt"),
                WordLists.load("ioi/places.txt"),
                WordLists.load("ioi/objects.txt"),
                WordLists.load("ioi/abba_templates.txt"));
    }

    /** The lists of the ACDC code (commit bc99ace), read from this module's resources. */
    public static IoiVocabulary acdc() {
        return Holder.ACDC;
    }
}
