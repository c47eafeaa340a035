// Prints "A OP B" for every pair of versions in the file named by args[0], ordered by Maven's own
// org.apache.maven.artifact.versioning.ComparableVersion. Run: java -cp maven-artifact.jar GenMaven.java FILE
import java.nio.file.*;
import java.util.*;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class GenMaven {
  public static void main(String[] args) throws Exception {
    List<String> vs = new ArrayList<>();
    for (String l : Files.readAllLines(Path.of(args[0]))) if (!l.isBlank()) vs.add(l.strip());
    for (int i = 0; i < vs.size(); i++) {
      for (int j = i; j < vs.size(); j++) {
        int c = new ComparableVersion(vs.get(i)).compareTo(new ComparableVersion(vs.get(j)));
        System.out.println(vs.get(i) + " " + (c < 0 ? "<" : c == 0 ? "=" : ">") + " " + vs.get(j));
      }
    }
  }
}
